#pragma once
// ModelSerializer<T>: Django REST Framework's ModelSerializer for covet
// models. It names which members go out (and in), under which keys, with
// what extra fields, and writes objects, lists and query results as JSON
// (or NDJSON, one object per line, from a database cursor).
//
//   static const auto users = covet::ModelSerializer<User>()
//       .fields({"id", "username", "email", "created_at"})
//       .read_only({"id", "created_at"})
//       .method("full_name", [](const User& u) { return u.first_name + " " + u.last_name; });
//   std::string body = users.to_json(User::objects(db).order_by("id").all());
//
// Configuration calls return a new serializer and check names as they go
// (an unknown field is a FieldError naming the closest ones). fields() picks
// and orders model fields and the extra fields declared before it; extra
// fields declared after it come after them. The members go through the
// per-kind table (FieldCodec): common types are written inline, never
// through Value.
//
// Lifetime: a value type sharing an immutable plan; copies are cheap.
// Thread safety: a configured serializer may be used from any number of
// threads at once.
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "covet/core/function_ref.hpp"
#include "covet/orm/queryset.hpp"
#include "covet/serial/json_writer.hpp"

namespace covet {

namespace detail {

// What a serializer was told, kept so each configuration call can rebuild
// the plan from scratch.
struct SerializerSpec {
  struct Extra {
    std::string name;
    std::string source;  // rename: the model field written under `name`
    // method field: writes the value computed from the object
    std::function<void(const void* obj, JsonWriter& w)> method;
  };
  bool all_fields = true;
  std::vector<std::string> fields;  // when !all_fields: output order
  std::vector<std::string> exclude, read_only, write_only;
  std::vector<Extra> extras;  // in declaration order
};

// One output member, resolved against the model.
struct SerialField {
  enum class Source : uint8_t { Member, Method };
  std::string name;
  std::string key;  // the pre-escaped `"name":`, with a leading comma after the first output field
  Source source = Source::Member;
  int field = -1;  // the model field (Member)
  uint32_t offset = 0;
  SerialOp op = SerialOp::Generic;
  const FieldCodec* codec = nullptr;
  const std::function<void(const void*, JsonWriter&)>* method = nullptr;  // points into the plan's spec
  bool read_only = false;
  bool write_only = false;
};

// The output loop's compact form of one output field: its key padded to a
// fixed size (copied in two moves, not a call), where the member is and
// how it is written.
struct OutputStep {
  static constexpr std::size_t kKeyBlock = 32;
  char key[kKeyBlock] = {};
  uint32_t offset = 0;
  uint32_t field = 0;   // index in SerializerPlan::fields
  uint8_t key_len = 0;
  SerialOp op = SerialOp::Generic;
  bool slow = false;    // a method field, or a key longer than the block
};

struct SerializerPlan {
  const ModelInfo* model = nullptr;
  SerializerSpec spec;
  std::vector<SerialField> fields;  // every declared field, output order
  std::vector<uint32_t> output;     // the fields written on output (not write-only)
  std::vector<OutputStep> steps;    // one per output field
  // Room one object's keys, punctuation and fixed-size values can take
  // (text adds its own length).
  std::size_t fixed_room = 0;
};

std::shared_ptr<const SerializerPlan> build_serializer(const ModelInfo& m, SerializerSpec spec);
// One object as a JSON object; `n` objects `stride` bytes apart as an array.
void write_object(const SerializerPlan& p, const void* obj, JsonWriter& w);
void write_objects(const SerializerPlan& p, const void* first, std::size_t n, std::size_t stride, JsonWriter& w);

}  // namespace detail

template <class T>
class ModelSerializer {
 public:
  // Every model field ("__all__").
  ModelSerializer() : plan_(detail::build_serializer(model_info<T>(), {})) {}

  // ---- configuration (DRF's Meta) ----
  // The fields written, in this order: model fields and extra fields declared before.
  ModelSerializer fields(std::initializer_list<std::string_view> names) const {
    return with([&](detail::SerializerSpec& s) {
      s.all_fields = false;
      s.fields.assign(names.begin(), names.end());
    });
  }
  // Every model field but these.
  ModelSerializer exclude(std::initializer_list<std::string_view> names) const {
    return with([&](detail::SerializerSpec& s) { s.exclude.insert(s.exclude.end(), names.begin(), names.end()); });
  }
  // Written on output, ignored on input.
  ModelSerializer read_only(std::initializer_list<std::string_view> names) const {
    return with([&](detail::SerializerSpec& s) { s.read_only.insert(s.read_only.end(), names.begin(), names.end()); });
  }
  // Accepted on input, never written (a password).
  ModelSerializer write_only(std::initializer_list<std::string_view> names) const {
    return with([&](detail::SerializerSpec& s) { s.write_only.insert(s.write_only.end(), names.begin(), names.end()); });
  }
  // The model field `source` written under another key (DRF's source=).
  ModelSerializer rename(std::string_view name, std::string_view source) const {
    return with([&](detail::SerializerSpec& s) { s.extras.push_back({std::string(name), std::string(source), {}}); });
  }
  // A read-only field computed from the object (DRF's SerializerMethodField):
  // fn(const T&) returns anything JsonWriter::value takes (a number, text,
  // a covet::Value, an optional, a vector), or fn(const T&, JsonWriter&)
  // writes one value itself.
  template <class F>
  ModelSerializer method(std::string_view name, F fn) const {
    std::function<void(const void*, JsonWriter&)> write;
    if constexpr (std::is_invocable_v<F&, const T&, JsonWriter&>) {
      write = [fn = std::move(fn)](const void* obj, JsonWriter& w) { fn(*static_cast<const T*>(obj), w); };
    } else {
      static_assert(std::is_invocable_v<F&, const T&>, "covet: a method field is fn(const T&) or fn(const T&, JsonWriter&)");
      write = [fn = std::move(fn)](const void* obj, JsonWriter& w) { w.value(fn(*static_cast<const T*>(obj))); };
    }
    return with([&](detail::SerializerSpec& s) { s.extras.push_back({std::string(name), {}, std::move(write)}); });
  }

  // ---- output ----
  void write(JsonWriter& w, const T& obj) const { detail::write_object(*plan_, &obj, w); }
  void write(JsonWriter& w, const std::vector<T>& objs) const {
    detail::write_objects(*plan_, objs.data(), objs.size(), sizeof(T), w);
  }
  template <class R>
  void write(JsonWriter& w, const QuerySet<T, R>& qs) const {
    static_assert(std::is_same_v<R, T>, "covet: serializers write whole objects; drop only()/values()");
    w.begin_array();
    for (const T& obj : qs.iterate()) write(w, obj);
    w.end_array();
  }
  std::string to_json(const T& obj) const { return render([&](JsonWriter& w) { write(w, obj); }); }
  std::string to_json(const std::vector<T>& objs) const { return render([&](JsonWriter& w) { write(w, objs); }); }
  template <class R>
  std::string to_json(const QuerySet<T, R>& qs) const {
    return render([&](JsonWriter& w) { write(w, qs); });
  }
  // NDJSON: each row of the query as one line, read from a database cursor
  // and handed to `sink` in chunks of about `chunk_bytes` (the last one
  // shorter) without holding the whole result. The cursor holds its
  // connection until the last row.
  template <class R>
  void write_ndjson(const QuerySet<T, R>& qs, FunctionRef<void(std::string_view)> sink,
                    std::size_t chunk_bytes = 16 * 1024) const {
    static_assert(std::is_same_v<R, T>, "covet: serializers write whole objects; drop only()/values()");
    JsonWriter w(chunk_bytes + chunk_bytes / 4);
    for (const T& obj : qs.iterate()) {
      write(w, obj);
      w.newline();
      if (w.size() >= chunk_bytes) {
        sink(w.view());
        w.clear();
      }
    }
    if (!w.empty()) sink(w.view());
  }

  const detail::SerializerPlan& plan() const { return *plan_; }

 private:
  explicit ModelSerializer(std::shared_ptr<const detail::SerializerPlan> p) : plan_(std::move(p)) {}
  template <class Edit>
  ModelSerializer with(Edit&& edit) const {
    detail::SerializerSpec s = plan_->spec;
    edit(s);
    return ModelSerializer(detail::build_serializer(model_info<T>(), std::move(s)));
  }
  template <class Write>
  static std::string render(Write&& write) {
    JsonWriter w;
    write(w);
    return w.take();
  }

  std::shared_ptr<const detail::SerializerPlan> plan_;
};

}  // namespace covet
