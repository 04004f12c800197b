#pragma once
// covet's error hierarchy. Every failure covet reports is a covet::Error.
//
//   Error
//   ├── DatabaseError (code(), sql(), poisons_connection())
//   │   ├── IntegrityError     constraint violated (UNIQUE, NOT NULL, FOREIGN KEY, CHECK)
//   │   ├── OperationalError   the database could not do it (locked, I/O, connection gone)
//   │   ├── ProgrammingError   the SQL was wrong (no such table, syntax)
//   │   ├── DataError          a value the column cannot hold (too long, NaN, out of range)
//   │   └── NotSupportedError  the backend has no such feature
//   ├── DoesNotExist, MultipleObjectsReturned   get() found 0 / 2+ rows
//   ├── FieldError             unknown field or lookup name, deferred field touched
//   ├── ValidationError        every field error at once: {field: [messages]}
//   ├── InvalidArgument        a call's argument is out of its domain (per_page 0)
//   ├── ConfigurationError     malformed database URL, unknown scheme
//   ├── PoolTimeout, MigrationError, ReadOnlyError
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace covet {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class DatabaseError : public Error {
 public:
  // code: the backend's own code (SQLSTATE, or SQLite's extended result code
  // as a decimal string); sql: the statement that failed, without values.
  DatabaseError(const std::string& message, std::string code = {}, std::string sql = {},
                bool poisons_connection = false);
  const std::string& code() const noexcept { return code_; }
  const std::string& sql() const noexcept { return sql_; }
  // True when the connection that raised this can no longer be used.
  bool poisons_connection() const noexcept { return poisons_connection_; }

 private:
  std::string code_;
  std::string sql_;
  bool poisons_connection_;
};

class IntegrityError : public DatabaseError {
 public:
  IntegrityError(const std::string& message, std::string code, std::string sql,
                 std::string constraint = {});
  // The constraint or column named by the backend, when it names one.
  const std::string& constraint() const noexcept { return constraint_; }

 private:
  std::string constraint_;
};

class OperationalError : public DatabaseError {
  using DatabaseError::DatabaseError;
};
class ProgrammingError : public DatabaseError {
  using DatabaseError::DatabaseError;
};
class DataError : public DatabaseError {
  using DatabaseError::DatabaseError;
};
class NotSupportedError : public DatabaseError {
  using DatabaseError::DatabaseError;
};

class DoesNotExist : public Error {
 public:
  using Error::Error;
};
class MultipleObjectsReturned : public Error {
 public:
  using Error::Error;
};
class FieldError : public Error {
 public:
  using Error::Error;
};
class InvalidArgument : public Error {
 public:
  using Error::Error;
};
class ConfigurationError : public Error {
 public:
  using Error::Error;
};
class PoolTimeout : public Error {
 public:
  using Error::Error;
};
class MigrationError : public Error {
 public:
  using Error::Error;
};
class ReadOnlyError : public Error {
 public:
  using Error::Error;
};

// All validation failures at once, keyed by field name; "non_field_errors"
// holds errors that belong to no single field (DRF's convention).
class ValidationError : public Error {
 public:
  using Errors = std::map<std::string, std::vector<std::string>>;
  explicit ValidationError(Errors errors);
  ValidationError(const std::string& field, const std::string& message);
  const Errors& errors() const noexcept { return errors_; }

 private:
  Errors errors_;
};

}  // namespace covet
