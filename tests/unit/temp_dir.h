// A fresh directory under /tmp for one test, removed with everything in it
// when the object goes out of scope. Keeps tests hermetic and parallel-safe.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace journeyd::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = "/tmp/journeyd-test-XXXXXX";
    const char* made = ::mkdtemp(tmpl.data());
    if (made == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace journeyd::testing
