#pragma once
// covet's error hierarchy. Every failure covet reports is a covet::Error.
//
//   Error
//   ├── DatabaseError (sqlstate(), code(), sql(), poisons_connection())
//   │   ├── IntegrityError     constraint violated (UNIQUE 23505, FOREIGN KEY 23503, NOT NULL 23502, CHECK 23514)
//   │   │   └── ProtectedError     a delete refused by covet: rows refer to it through an on_delete Protect relation
//   │   ├── OperationalError   the database could not do it (locked, I/O, connection gone)
//   │   │   ├── TransactionRollback   the database ended the transaction; retry it whole
//   │   │   │   ├── SerializationFailure   40001 (SQLite: busy, stale snapshot)
//   │   │   │   └── DeadlockDetected       40P01 (SQLite: locked)
//   │   │   └── InDoubtError       the connection died during COMMIT: outcome unknown
//   │   ├── ProgrammingError   the SQL was wrong (no such table, syntax)
//   │   ├── DataError          a value the column cannot hold (too long, NaN, out of range)
//   │   └── NotSupportedError  the backend has no such feature
//   ├── UsageError             the API used wrongly: a statement on a connection whose
//   │                          result is still being read, a finished transaction, a
//   │                          moved-from Database (libpqxx's usage_error)
//   ├── DoesNotExist, MultipleObjectsReturned   get() found 0 / 2+ rows
//   ├── FieldError             unknown field or lookup name, deferred field touched
//   ├── ValidationError        every field error at once: {field: [messages]}
//   ├── InvalidArgument        a call's argument is out of its domain (per_page 0)
//   ├── ConfigurationError     malformed database URL, unknown scheme
//   ├── PoolTimeout            no connection became free within pool_timeout
//   ├── MigrationError, ReadOnlyError
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace covet {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class DatabaseError : public Error {
 public:
  // code: the backend's own code (SQLSTATE, or SQLite's extended result code
  // as a decimal string); sql: the statement that failed, without values;
  // sqlstate: the normalised five-character SQLSTATE (SQLite's codes mapped
  // to the nearest class), or empty for the class's generic one.
  DatabaseError(const std::string& message, std::string code = {}, std::string sql = {},
                bool poisons_connection = false, std::string sqlstate = {});
  const std::string& code() const noexcept { return code_; }
  const std::string& sql() const noexcept { return sql_; }
  // The SQLSTATE, the same on every backend for the same failure
  // ("23505" for a UNIQUE violation on SQLite and PostgreSQL alike).
  std::string_view sqlstate() const noexcept;
  // True when the connection that raised this can no longer be used.
  bool poisons_connection() const noexcept { return poisons_connection_; }

 protected:
  virtual std::string_view default_sqlstate() const noexcept { return "58000"; }

 private:
  std::string code_;
  std::string sql_;
  std::string sqlstate_;
  bool poisons_connection_;
};

class IntegrityError : public DatabaseError {
 public:
  IntegrityError(const std::string& message, std::string code, std::string sql,
                 std::string constraint = {}, std::string sqlstate = {});
  // The constraint or column named by the backend, when it names one.
  const std::string& constraint() const noexcept { return constraint_; }

 protected:
  std::string_view default_sqlstate() const noexcept override { return "23000"; }

 private:
  std::string constraint_;
};

// Deleting rows that other rows refer to through a relation declared
// on_delete(OnDelete::Protect): refused before anything is deleted
// (sqlstate 23503, constraint: "Model.relation").
class ProtectedError : public IntegrityError {
 public:
  using IntegrityError::IntegrityError;
};

class OperationalError : public DatabaseError {
 public:
  using DatabaseError::DatabaseError;
};
// The database rolled the transaction back to resolve a conflict: running
// the whole transaction again may succeed.
class TransactionRollback : public OperationalError {
 public:
  using OperationalError::OperationalError;

 protected:
  std::string_view default_sqlstate() const noexcept override { return "40000"; }
};
class SerializationFailure : public TransactionRollback {
 public:
  using TransactionRollback::TransactionRollback;

 protected:
  std::string_view default_sqlstate() const noexcept override { return "40001"; }
};
class DeadlockDetected : public TransactionRollback {
 public:
  using TransactionRollback::TransactionRollback;

 protected:
  std::string_view default_sqlstate() const noexcept override { return "40P01"; }
};
// The connection was lost while COMMIT was in flight: the transaction may or
// may not have been committed (libpqxx's in_doubt_error).
class InDoubtError : public OperationalError {
 public:
  using OperationalError::OperationalError;

 protected:
  std::string_view default_sqlstate() const noexcept override { return "08007"; }
};
class ProgrammingError : public DatabaseError {
 public:
  using DatabaseError::DatabaseError;

 protected:
  std::string_view default_sqlstate() const noexcept override { return "42000"; }
};
class DataError : public DatabaseError {
 public:
  using DatabaseError::DatabaseError;

 protected:
  std::string_view default_sqlstate() const noexcept override { return "22000"; }
};
class NotSupportedError : public DatabaseError {
 public:
  using DatabaseError::DatabaseError;

 protected:
  std::string_view default_sqlstate() const noexcept override { return "0A000"; }
};

class UsageError : public Error {
 public:
  using Error::Error;
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
// Input that is not well-formed (malformed JSON or MessagePack, nesting past
// the limit, a string past the limit): the request is bad as a whole, before
// any field is looked at (HTTP 400).
class ParseError : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};
// Input bigger than the reader accepts (HTTP 413); nothing of it was read.
class PayloadTooLarge : public ParseError {
 public:
  using ParseError::ParseError;
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
  // A list's errors (DRF's many=True): one Errors per item, empty for the
  // valid ones.
  explicit ValidationError(std::vector<Errors> items);
  ValidationError(const std::string& field, const std::string& message);
  // One message: under "non_field_errors", or, thrown from a serializer's
  // field validator, under the field being validated.
  explicit ValidationError(const std::string& message);
  const Errors& errors() const noexcept { return errors_; }
  const std::vector<Errors>& items() const noexcept { return items_; }
  // DRF's response body: {"email":["Enter a valid email address."],"non_field_errors":[...]},
  // or for a list [{}, {"email":[...]}].
  std::string to_json() const;

 private:
  Errors errors_;
  std::vector<Errors> items_;
};

}  // namespace covet
