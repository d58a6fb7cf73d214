// TempDir is a fresh directory under $TMPDIR (or /tmp), removed with everything in it
// when the object is destroyed. For tests that need real files.
#ifndef COUNCIL_REGISTRY_TESTS_SUPPORT_TEMP_DIR_H_
#define COUNCIL_REGISTRY_TESTS_SUPPORT_TEMP_DIR_H_

#include <string>

namespace registry::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace registry::testing

#endif  // COUNCIL_REGISTRY_TESTS_SUPPORT_TEMP_DIR_H_
