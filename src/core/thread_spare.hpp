#pragma once
// A buffer kept per thread for the next object of its kind (a vector's
// capacity, say), so a hot path that builds and drops one per call does
// not go back to the heap each time. Once the thread's spare is destroyed
// (an object dropped by a static destructor, after the thread's own),
// `gone` says so and nothing is left in it any more.
namespace covet::detail {

template <class T>
struct ThreadSpare {
  T v{};
  bool gone = false;
  ~ThreadSpare() { gone = true; }
};

}  // namespace covet::detail
