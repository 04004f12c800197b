// The REST example: the seed's /users API over the blog models on SQLite,
// served with Boost.Beast. What a C++ service puts between HTTP and its
// models: query-string filters passed to the string API, serializers with
// DRF-shaped validation errors, MessagePack and NDJSON streaming.
//
//   rest_example [--port N] [--db URL]     (default: port 8080, sqlite://rest.db)
//
//   GET    /users?username__icontains=ann&order_by=-created_at&page=2&page_size=20
//   POST   /users                 {"username": ..., "email": ..., "password": ...}
//                                  (JSON, or MessagePack with Content-Type: application/msgpack)
//   GET    /users/{id}   PUT /users/{id}   PATCH /users/{id}   DELETE /users/{id}
//   GET    /binary/users          the same list as MessagePack
//   GET    /stream/users          every matching user, one JSON object per line
//
// Errors: 400 with DRF's body ({"email": ["..."]} or {"detail": "..."}),
// 404, 405, 413 for a body over 1 MiB, 415 for a body neither JSON nor MessagePack. The server prints
// "listening on 127.0.0.1:<port>" once it accepts connections (port 0 picks
// a free one) and serves each connection on its own thread.
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <cstdio>
#include <string>
#include <thread>

#include "../blog/models.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using blog::User;

namespace {

constexpr std::size_t kMaxBody = 1 << 20;
constexpr int64_t kMaxPageSize = 100;

// PBKDF2-HMAC-SHA256 with a random salt: "pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>".
std::string hash_password(std::string_view password) {
  constexpr int kIterations = 20'000;
  unsigned char salt[16], out[32];
  if (RAND_bytes(salt, sizeof salt) != 1) throw std::runtime_error("no random bytes for a salt");
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt, sizeof salt, kIterations, EVP_sha256(),
                    sizeof out, out);
  auto hex = [](const unsigned char* p, std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += "0123456789abcdef"[p[i] >> 4], s += "0123456789abcdef"[p[i] & 15];
    return s;
  };
  return "pbkdf2_sha256$" + std::to_string(kIterations) + "$" + hex(salt, sizeof salt) + "$" + hex(out, sizeof out);
}

// The seed's UserSerializer, with a write-only password hashed on the way in.
const covet::ModelSerializer<User>& user_serializer() {
  static const auto s =
      covet::ModelSerializer<User>()
          .input_field("password", covet::FieldKind::Text, {.required = false, .min_length = 8})
          .fields({"id", "username", "email", "is_active", "created_at", "password"})
          .read_only({"id", "created_at"})
          .options("email", {.email = true})
          .options("username", {.min_length = 3, .regex = "[A-Za-z0-9_.-]+"})
          .validator("email",
                     [](std::string& email) {
                       for (char& c : email) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                     })
          .validate([](covet::Input<User>& in) {
            if (in.has("password")) in.object().password_hash = hash_password(in.extra("password").as_string());
            else if (in.object().password_hash.empty()) in.error("password", "This field is required.");
          });
  return s;
}

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

Response reply(const Request& req, http::status status, std::string body,
               std::string_view type = "application/json") {
  Response res{status, req.version()};
  res.set(http::field::server, "covet-rest-example");
  res.set(http::field::content_type, beast::string_view(type.data(), type.size()));
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response detail(const Request& req, http::status status, std::string_view message) {
  covet::JsonWriter w;
  w.begin_object();
  w.key("detail");
  w.value(message);
  w.end_object();
  return reply(req, status, w.take());
}

std::string url_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size()) {
      int v = 0;
      auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec != std::errc() || p != s.data() + i + 3) throw covet::InvalidArgument("bad percent escape in the URL");
      out += static_cast<char>(v);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

struct ListQuery {
  covet::QuerySet<User> users;
  int64_t page = 1, page_size = 20;
};

int64_t positive(std::string_view name, const std::string& v) {
  int64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n < 1)
    throw covet::InvalidArgument(std::string(name) + " must be a positive integer");
  return n;
}

// ?field__lookup=value&order_by=-a,b&page=2&page_size=20: filters through
// the string API (a bad name is a FieldError naming the closest ones).
ListQuery list_query(const covet::Database& db, std::string_view query) {
  ListQuery q{User::objects(db)};
  bool ordered = false;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string key = url_decode(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? std::string() : url_decode(pair.substr(eq + 1));
    if (key == "page") {
      q.page = positive(key, value);
    } else if (key == "page_size") {
      q.page_size = std::min(positive(key, value), kMaxPageSize);
    } else if (key == "order_by") {
      std::vector<std::string> terms;
      for (std::string_view rest = value; !rest.empty();) {
        auto comma = rest.find(',');
        terms.emplace_back(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
      for (const auto& t : terms) q.users = q.users.order_by(t);
      ordered = true;
    } else if (key.ends_with("__in")) {
      covet::Array items;
      for (std::string_view rest = value; !rest.empty();) {
        auto comma = rest.find(',');
        items.emplace_back(std::string(rest.substr(0, comma)));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
      q.users = q.users.filter(key, covet::Value(std::move(items)));
    } else {
      q.users = q.users.filter(key, covet::Value(value));
    }
  }
  if (!ordered) q.users = q.users.order_by("id");
  return q;
}

std::string page_url(std::string_view path, int64_t page, int64_t size) {
  return std::string(path) + "?page=" + std::to_string(page) + "&page_size=" + std::to_string(size);
}

Response list_users(const Request& req, const covet::Database& db, std::string_view path, std::string_view query) {
  ListQuery q = list_query(db, query);
  covet::Page<User> page = q.users.paginate(q.page, q.page_size);
  // DRF's PageNumberPagination: count, next, previous, results.
  covet::JsonWriter w(4096);
  w.begin_object();
  w.key("count");
  w.value(page.total);
  w.key("next");
  if (page.has_next) w.value(page_url(path, page.page + 1, page.per_page));
  else w.null();
  w.key("previous");
  if (page.has_previous) w.value(page_url(path, page.page - 1, page.per_page));
  else w.null();
  w.key("results");
  user_serializer().write(w, page.items);
  w.end_object();
  return reply(req, http::status::ok, w.take());
}

std::optional<int64_t> id_in(std::string_view rest) {
  int64_t id = 0;
  auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), id);
  if (ec != std::errc() || p != rest.data() + rest.size()) return std::nullopt;
  return id;
}

// The body's format from its Content-Type (DRF's parsers); none: 415.
std::optional<covet::InputFormat> body_format(const Request& req) {
  auto it = req.find(http::field::content_type);
  if (it == req.end()) return covet::InputFormat::Json;
  std::string_view type(it->value().data(), it->value().size());
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  if (type == "application/json" || type.empty()) return covet::InputFormat::Json;
  if (type == "application/msgpack" || type == "application/x-msgpack") return covet::InputFormat::MsgPack;
  return std::nullopt;
}

Response handle(const Request& req, const covet::Database& db, tcp::socket& socket, bool& streamed) {
  std::string_view target(req.target().data(), req.target().size());  // Boost 1.74's own string_view
  auto qmark = target.find('?');
  std::string_view path = target.substr(0, qmark);
  std::string_view query = qmark == std::string_view::npos ? std::string_view() : target.substr(qmark + 1);
  const auto method = req.method();
  const std::optional<covet::InputFormat> format = body_format(req);
  if (!format && (method == http::verb::post || method == http::verb::put || method == http::verb::patch))
    return detail(req, http::status::unsupported_media_type, "Unsupported media type in request.");
  try {
    if (path == "/users") {
      if (method == http::verb::get) return list_users(req, db, path, query);
      if (method == http::verb::post)
        return reply(req, http::status::created,
                     user_serializer().to_json(user_serializer().create(db, req.body(), {.format = *format})));
      return detail(req, http::status::method_not_allowed, "Method \"" + std::string(req.method_string()) + "\" not allowed.");
    }
    if (path == "/binary/users" && method == http::verb::get) {
      ListQuery q = list_query(db, query);
      return reply(req, http::status::ok, user_serializer().to_msgpack(q.users.paginate(q.page, q.page_size).items),
                   "application/msgpack");
    }
    if (path == "/stream/users" && method == http::verb::get) {
      // NDJSON in HTTP chunks, straight from a database cursor.
      ListQuery q = list_query(db, query);
      http::response<http::empty_body> head{http::status::ok, req.version()};
      head.set(http::field::content_type, "application/x-ndjson");
      head.chunked(true);
      head.keep_alive(false);
      http::response_serializer<http::empty_body> sr{head};
      http::write_header(socket, sr);
      user_serializer().write_ndjson(q.users, [&](std::string_view chunk) {
        asio::write(socket, http::make_chunk(asio::buffer(chunk.data(), chunk.size())));
      });
      asio::write(socket, http::make_chunk_last());
      streamed = true;
      return {};
    }
    if (path.starts_with("/users/")) {
      std::optional<int64_t> id = id_in(path.substr(7));
      if (!id) return detail(req, http::status::not_found, "Not found.");
      auto found = User::objects(db).filter("id", *id).first();
      if (!found) return detail(req, http::status::not_found, "Not found.");
      User user = *found;
      switch (method) {
        case http::verb::get: return reply(req, http::status::ok, user_serializer().to_json(user));
        case http::verb::put:
        case http::verb::patch:
          user_serializer().update(db, user, req.body(), {.format = *format, .partial = method == http::verb::patch});
          return reply(req, http::status::ok, user_serializer().to_json(user));
        case http::verb::delete_:
          user.remove(db);
          return reply(req, http::status::no_content, "");
        default:
          return detail(req, http::status::method_not_allowed, "Method \"" + std::string(req.method_string()) + "\" not allowed.");
      }
    }
    return detail(req, http::status::not_found, "Not found.");
  } catch (const covet::ValidationError& e) {
    return reply(req, http::status::bad_request, e.to_json());
  } catch (const covet::PayloadTooLarge& e) {
    return detail(req, http::status::payload_too_large, e.what());
  } catch (const covet::ParseError& e) {
    return detail(req, http::status::bad_request, e.what());
  } catch (const covet::IntegrityError& e) {  // a race past the unique check: the database's answer
    return detail(req, http::status::bad_request, e.what());
  } catch (const covet::FieldError& e) {
    return detail(req, http::status::bad_request, e.what());
  } catch (const covet::InvalidArgument& e) {
    return detail(req, http::status::bad_request, e.what());
  }
}

void serve(tcp::socket socket, covet::Database db) {
  beast::error_code ec;
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kMaxBody);
    http::read(socket, buffer, parser, ec);
    if (ec == http::error::body_limit) {
      Request req;
      req.version(11);
      Response res = detail(req, http::status::payload_too_large, "Request body larger than 1 MiB.");
      res.keep_alive(false);
      http::write(socket, res, ec);
      // The client may still be sending: read what it sends (up to a bound)
      // so that closing does not reset the connection under the answer.
      socket.shutdown(tcp::socket::shutdown_send, ec);
      char sink[16384];
      for (std::size_t drained = 0; !ec && drained < (64u << 20);) drained += socket.read_some(asio::buffer(sink), ec);
      return;
    }
    if (ec) break;  // closed, or not HTTP
    Request req = parser.release();
    bool streamed = false;
    Response res;
    try {
      res = handle(req, db, socket, streamed);
    } catch (const std::exception& e) {  // a database failure: the message, not a dropped connection
      res = detail(req, http::status::internal_server_error, e.what());
    }
    if (streamed) break;
    http::write(socket, res, ec);
    if (ec || !res.keep_alive()) break;
  }
  socket.shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace

int main(int argc, char** argv) {
  unsigned short port = 8080;
  std::string url = "sqlite://rest.db";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    if (flag == "--port") port = static_cast<unsigned short>(std::stoi(argv[i + 1]));
    else if (flag == "--db") url = argv[i + 1];
  }
  covet::Database db(url);
  db.create_all<User, blog::Post, blog::Profile>();
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), port});
  std::printf("listening on 127.0.0.1:%u\n", acceptor.local_endpoint().port());
  std::fflush(stdout);
  for (;;) {
    tcp::socket socket(ioc);
    acceptor.accept(socket);
    std::thread(serve, std::move(socket), db).detach();
  }
}
