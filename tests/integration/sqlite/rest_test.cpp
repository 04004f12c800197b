// The REST example (examples/rest) started on a loopback port and spoken to
// over HTTP with libcurl: the seed's /users, /binary/users and
// /stream/users, and bad bodies that must get 400/413 and write nothing.
#include <gtest/gtest.h>

#include <curl/curl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <covet/covet.hpp>

#include <cstdio>
#include <filesystem>
#include <string>

extern char** environ;

namespace {

struct Reply {
  long status = 0;
  std::string body;
  std::string content_type;
};

// The example server, one per test suite: started with a fresh database
// file, stopped (SIGTERM) at the end.
class RestServer {
 public:
  RestServer() {
    std::filesystem::create_directories(COVET_TEST_TMP);
    db_ = std::string(COVET_TEST_TMP) + "/rest_" + std::to_string(::getpid()) + ".db";
    std::filesystem::remove(db_);
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::string url = "sqlite:///" + db_;
    const char* argv[] = {COVET_REST_EXAMPLE, "--port", "0", "--db", url.c_str(), nullptr};
    if (posix_spawn(&pid_, COVET_REST_EXAMPLE, &actions, nullptr, const_cast<char**>(argv), environ) != 0)
      throw std::runtime_error("cannot start " COVET_REST_EXAMPLE);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    FILE* out = ::fdopen(fds[0], "r");
    char line[128] = {};
    if (!std::fgets(line, sizeof line, out)) throw std::runtime_error("the REST example printed nothing");
    std::fclose(out);
    std::string l = line;
    port_ = std::stoi(l.substr(l.rfind(':') + 1));
  }
  ~RestServer() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    std::filesystem::remove(db_);
  }

  Reply request(const std::string& method, const std::string& path, const std::string& body = "",
                const std::string& content_type = "application/json") const {
    CURL* c = curl_easy_init();
    Reply r;
    std::string url = "http://127.0.0.1:" + std::to_string(port_) + path;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
    curl_slist* headers = curl_slist_append(nullptr, ("Content-Type: " + content_type).c_str());
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, +[](char* p, size_t s, size_t n, void* out) {
      static_cast<std::string*>(out)->append(p, s * n);
      return s * n;
    });
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK) {
      curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
      char* type = nullptr;
      curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type);
      if (type) r.content_type = type;
    } else {
      r.body = curl_easy_strerror(rc);
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    return r;
  }

 private:
  std::string db_;
  pid_t pid_ = 0;
  int port_ = 0;
};

class Rest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    server_ = new RestServer();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    curl_global_cleanup();
  }
  static const RestServer& server() { return *server_; }
  static int64_t count() {
    Reply r = server().request("GET", "/users?page_size=1");
    auto begin = r.body.find("\"count\":") + 8;
    return std::stoll(r.body.substr(begin, r.body.find(',', begin) - begin));
  }
  static inline RestServer* server_ = nullptr;
};

TEST_F(Rest, CreateRetrieveUpdateDelete) {
  Reply made = server().request("POST", "/users", R"({"username":"crud_ann","email":"Ann@Example.com","password":"Secret123"})");
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.content_type, "application/json");
  EXPECT_NE(made.body.find(R"("email":"ann@example.com")"), std::string::npos) << made.body;  // normalised
  EXPECT_EQ(made.body.find("password"), std::string::npos);  // write-only
  auto id_at = made.body.find("\"id\":") + 5;
  std::string id = made.body.substr(id_at, made.body.find(',', id_at) - id_at);

  Reply got = server().request("GET", "/users/" + id);
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, made.body);
  Reply patched = server().request("PATCH", "/users/" + id, R"({"is_active":false})");
  EXPECT_EQ(patched.status, 200);
  EXPECT_NE(patched.body.find(R"("is_active":false)"), std::string::npos);
  // PUT is a full update: the required fields must all be there.
  Reply put = server().request("PUT", "/users/" + id, R"({"is_active":true})");
  EXPECT_EQ(put.status, 400);
  EXPECT_EQ(put.body, R"({"email":["This field is required."],"username":["This field is required."]})");
  EXPECT_EQ(server().request("DELETE", "/users/" + id).status, 204);
  EXPECT_EQ(server().request("GET", "/users/" + id).status, 404);
  EXPECT_EQ(server().request("GET", "/users/abc").status, 404);
  EXPECT_EQ(server().request("DELETE", "/users").status, 405);
}

TEST_F(Rest, BadBodiesGet400Or413AndWriteNothing) {
  ASSERT_EQ(server().request("POST", "/users", R"({"username":"bad_base","email":"base@x.io","password":"Secret123"})").status, 201);
  int64_t before = count();
  Reply malformed = server().request("POST", "/users", R"({"username": "x", )");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.body.rfind(R"({"detail":"JSON parse error)", 0), 0u) << malformed.body;
  Reply types = server().request("POST", "/users", R"({"username": 5, "email": ["a"], "password": true, "is_active": "yes"})");
  EXPECT_EQ(types.status, 400);
  EXPECT_EQ(types.body, R"({"email":["Not a valid string."],"is_active":["Must be a valid boolean."],)"
                        R"("password":["Not a valid string."],"username":["Not a valid string."]})");
  Reply taken = server().request("POST", "/users", R"({"username":"bad_base","email":"other@x.io","password":"Secret123"})");
  EXPECT_EQ(taken.status, 400);
  EXPECT_EQ(taken.body, R"({"username":["user with this username already exists."]})");
  EXPECT_EQ(server().request("POST", "/users", "[1,2,3]").status, 400);
  EXPECT_EQ(server().request("POST", "/users", std::string(100, '[') + std::string(100, ']')).status, 400);
  EXPECT_EQ(server().request("POST", "/users", "{\"username\":\"\xC3\x28\"}").status, 400);
  EXPECT_EQ(server().request("POST", "/users", R"({"username":"dup_key","username":"twice"})").status, 400);
  Reply huge = server().request("POST", "/users", "{\"username\":\"" + std::string(2 << 20, 'x') + "\"}");
  EXPECT_EQ(huge.status, 413);
  EXPECT_EQ(count(), before);
}

TEST_F(Rest, ListFiltersOrdersAndPages) {
  for (int i = 0; i < 25; ++i) {
    std::string name = "page_user" + std::to_string(100 + i);
    ASSERT_EQ(server().request("POST", "/users", R"({"username":")" + name + R"(","email":")" + name + R"(@x.io","password":"Secret123"})").status, 201);
  }
  Reply first = server().request("GET", "/users?username__startswith=page_user&order_by=-username&page_size=10");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.body.rfind(R"({"count":25,"next":"/users?page=2&page_size=10","previous":null,"results":[{)", 0), 0u) << first.body;
  EXPECT_NE(first.body.find("page_user124"), std::string::npos);
  EXPECT_EQ(first.body.find("page_user114"), std::string::npos);
  Reply third = server().request("GET", "/users?username__startswith=page_user&order_by=-username&page_size=10&page=3");
  EXPECT_NE(third.body.find(R"("next":null,"previous":"/users?page=2&page_size=10")"), std::string::npos) << third.body;
  EXPECT_NE(third.body.find("page_user100"), std::string::npos);
  Reply icontains = server().request("GET", "/users?username__icontains=PAGE_USER12&page_size=100");
  EXPECT_NE(icontains.body.find(R"("count":5)"), std::string::npos) << icontains.body;
  Reply bad = server().request("GET", "/users?usernme=x");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("did you mean 'username'"), std::string::npos);
  EXPECT_EQ(server().request("GET", "/users?page=0").status, 400);
  EXPECT_EQ(server().request("GET", "/users?id__gt=abc").status, 400);
}

TEST_F(Rest, MessagePackAndNdjsonStreams) {
  for (int i = 0; i < 3; ++i) {
    std::string name = "stream_user" + std::to_string(i);
    ASSERT_EQ(server().request("POST", "/users", R"({"username":")" + name + R"(","email":")" + name + R"(@x.io","password":"Secret123"})").status, 201);
  }
  Reply packed = server().request("GET", "/binary/users?username__startswith=stream_user");
  EXPECT_EQ(packed.status, 200);
  EXPECT_EQ(packed.content_type, "application/msgpack");
  ASSERT_FALSE(packed.body.empty());
  EXPECT_EQ(static_cast<unsigned char>(packed.body[0]), 0x93);  // an array of three maps
  EXPECT_NE(packed.body.find("stream_user2"), std::string::npos);

  // MessagePack bodies in: created, validated the same way, malformed ones 400.
  auto body = [](std::string_view user, std::string_view email) {
    covet::MsgPackWriter w;
    w.begin_map(3);
    w.key("username"), w.value(user);
    w.key("email"), w.value(email);
    w.key("password"), w.value("Secret123");
    return w.take();
  };
  Reply made = server().request("POST", "/users", body("packed_user", "p@x.io"), "application/msgpack");
  EXPECT_EQ(made.status, 201) << made.body;
  EXPECT_NE(made.body.find(R"("username":"packed_user")"), std::string::npos) << made.body;
  Reply invalid = server().request("POST", "/users", body("packed_user2", "nope"), "application/msgpack");
  EXPECT_EQ(invalid.status, 400);
  EXPECT_EQ(invalid.body, R"({"email":["Enter a valid email address."]})");
  std::string truncated = body("packed_user3", "q@x.io");
  truncated.pop_back();
  Reply bad = server().request("POST", "/users", truncated, "application/msgpack");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body.rfind(R"({"detail":"MessagePack parse error)", 0), 0u) << bad.body;
  EXPECT_EQ(server().request("POST", "/users", "username=x", "application/x-www-form-urlencoded").status, 415);
  EXPECT_EQ(server().request("GET", "/users?username=packed_user3").body.find("packed_user3"), std::string::npos);

  Reply lines = server().request("GET", "/stream/users?username__startswith=stream_user");
  EXPECT_EQ(lines.status, 200);
  EXPECT_EQ(lines.content_type, "application/x-ndjson");
  int n = 0;
  for (std::size_t pos = 0, nl; (nl = lines.body.find('\n', pos)) != std::string::npos; pos = nl + 1, ++n)
    EXPECT_NE(lines.body.substr(pos, nl - pos).find("\"username\":\"stream_user" + std::to_string(n) + "\""), std::string::npos);
  EXPECT_EQ(n, 3);
}

}  // namespace
