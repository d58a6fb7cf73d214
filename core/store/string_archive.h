// StringOutputArchive writes cereal's binary format, byte for byte what
// cereal::BinaryOutputArchive writes (little-endian values, sizes as u64), straight into a
// std::string: encoding an event needs no stream, locale or buffer copy. Used only by the
// payload codec.
#ifndef COUNCIL_REGISTRY_STORE_STRING_ARCHIVE_H_
#define COUNCIL_REGISTRY_STORE_STRING_ARCHIVE_H_

#include <cereal/cereal.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>

namespace registry::store {

class StringOutputArchive
    : public cereal::OutputArchive<StringOutputArchive, cereal::AllowEmptyClassElision> {
 public:
  explicit StringOutputArchive(std::string& out)
      : OutputArchive<StringOutputArchive, cereal::AllowEmptyClassElision>(this), out_(out) {}

  void saveBinary(const void* data, std::size_t size) {
    out_.append(static_cast<const char*>(data), size);
  }

 private:
  std::string& out_;
};

template <class T>
inline void CEREAL_SAVE_FUNCTION_NAME(StringOutputArchive& ar, const cereal::NameValuePair<T>& t) {
  ar(t.value);
}

template <class T>
inline std::enable_if_t<std::is_arithmetic_v<T>> CEREAL_SAVE_FUNCTION_NAME(StringOutputArchive& ar,
                                                                            const T& t) {
  ar.saveBinary(std::addressof(t), sizeof(t));
}

template <class T>
inline void CEREAL_SAVE_FUNCTION_NAME(StringOutputArchive& ar, const cereal::SizeTag<T>& t) {
  const auto size = static_cast<cereal::size_type>(t.size);  // u64, as BinaryOutputArchive
  ar.saveBinary(&size, sizeof(size));
}

template <class T>
inline void CEREAL_SAVE_FUNCTION_NAME(StringOutputArchive& ar, const cereal::BinaryData<T>& t) {
  ar.saveBinary(t.data, static_cast<std::size_t>(t.size));
}

}  // namespace registry::store

CEREAL_REGISTER_ARCHIVE(registry::store::StringOutputArchive)

#endif  // COUNCIL_REGISTRY_STORE_STRING_ARCHIVE_H_
