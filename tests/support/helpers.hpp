#pragma once
// Small helpers shared by the integration tests.
#include <gtest/gtest.h>

#include <exception>
#include <string>

#include "blog/models.hpp"

namespace test_support {

inline bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Runs f, which must throw E; returns the message (a test failure otherwise).
template <class E, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
    return {};
  }
  ADD_FAILURE() << "nothing was thrown";
  return {};
}

// Runs f; the DRF-shaped body of the ValidationError it throws, or "no error".
template <class F>
std::string errors_of(F&& f) {
  try {
    f();
  } catch (const covet::ValidationError& e) {
    return e.to_json();
  }
  return "no error";
}

// A blog user that passes every check (username long enough, an email).
inline blog::User make_user(const std::string& name, const std::string& password_hash = "h") {
  blog::User u;
  u.username = name;
  u.email = name + "@example.com";
  u.password_hash = password_hash;
  return u;
}

}  // namespace test_support
