#include <covet/covet.hpp>
#include <cstdio>

struct Note : covet::Model<Note> {
  int64_t id = 0;
  std::string text;
};

int main() {
  covet::Database db("sqlite://:memory:");
  db.create_all<Note>();
  Note::create(db, {{"text", "a"}});
  Note::create(db, {{"text", "b"}});
  std::printf("hello covet: %lld rows\n", static_cast<long long>(Note::objects(db).count()));
}
