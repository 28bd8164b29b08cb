#include "common/error.h"

namespace journeyd {

const char* to_string(Errc e) {
  switch (e) {
    case Errc::invalid_argument:
      return "invalid_argument";
    case Errc::not_found:
      return "not_found";
    case Errc::io:
      return "io";
    case Errc::kafka:
      return "kafka";
    case Errc::corrupt:
      return "corrupt";
    case Errc::internal:
      return "internal";
  }
  return "unknown";
}

}  // namespace journeyd
