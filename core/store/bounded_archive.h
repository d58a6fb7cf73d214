// BoundedInputArchive reads cereal's binary format from a byte span and refuses, by
// throwing cereal::Exception, any read past the end and any size tag larger than the
// bytes remaining. Used only by the payload codec.
#ifndef COUNCIL_REGISTRY_STORE_BOUNDED_ARCHIVE_H_
#define COUNCIL_REGISTRY_STORE_BOUNDED_ARCHIVE_H_

#include <cereal/cereal.hpp>

#include <cstring>
#include <string_view>
#include <type_traits>

namespace registry::store {

class BoundedInputArchive
    : public cereal::InputArchive<BoundedInputArchive, cereal::AllowEmptyClassElision> {
 public:
  explicit BoundedInputArchive(std::string_view bytes)
      : InputArchive<BoundedInputArchive, cereal::AllowEmptyClassElision>(this), bytes_(bytes) {}

  void loadBinary(void* out, std::size_t size) {
    if (size > bytes_.size()) throw cereal::Exception("payload ends early");
    std::memcpy(out, bytes_.data(), size);
    bytes_.remove_prefix(size);
  }
  std::size_t remaining() const { return bytes_.size(); }

 private:
  std::string_view bytes_;
};

template <class T>
inline void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive& ar, cereal::NameValuePair<T>& t) {
  ar(t.value);
}

template <class T>
inline std::enable_if_t<std::is_arithmetic_v<T> && !std::is_same_v<T, bool>> CEREAL_LOAD_FUNCTION_NAME(
    BoundedInputArchive& ar, T& t) {
  ar.loadBinary(std::addressof(t), sizeof(t));
}

// A bool is one byte, 0 or 1; copying any other byte into a bool is undefined behaviour
// (found by the payload fuzz corpus under UBSan: cereal's std::optional reads one).
inline void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive& ar, bool& t) {
  unsigned char byte = 0;
  ar.loadBinary(&byte, 1);
  if (byte > 1) throw cereal::Exception("a boolean byte is neither 0 nor 1");
  t = byte == 1;
}

template <class T>
inline void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive& ar, cereal::SizeTag<T>& t) {
  cereal::size_type size = 0;
  ar.loadBinary(&size, sizeof(size));
  // Every element takes at least one byte, so a larger count cannot be genuine.
  if (size > ar.remaining()) throw cereal::Exception("a length exceeds the payload");
  t.size = static_cast<std::remove_reference_t<T>>(size);
}

template <class T>
inline void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive& ar, cereal::BinaryData<T>& t) {
  ar.loadBinary(t.data, static_cast<std::size_t>(t.size));
}

}  // namespace registry::store

CEREAL_REGISTER_ARCHIVE(registry::store::BoundedInputArchive)

#endif  // COUNCIL_REGISTRY_STORE_BOUNDED_ARCHIVE_H_
