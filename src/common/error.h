// Errors as values. Expected failures (bad input, a storage or Kafka error)
// travel as Result<T>; exceptions are for start-up and configuration only.
#pragma once

#include <boost/outcome/result.hpp>
#include <string>
#include <utility>

namespace journeyd {

namespace outcome = boost::outcome_v2;

enum class Errc {
  invalid_argument,  // bad input from a user or a file
  not_found,
  io,       // storage or filesystem
  kafka,    // librdkafka reported a failure
  corrupt,  // stored bytes could not be decoded
  internal,
};

const char* to_string(Errc e);

struct Error {
  Errc code = Errc::internal;
  std::string message;
};

template <class T>
using Result = outcome::result<T, Error, outcome::policy::terminate>;

inline auto fail(Errc code, std::string message) {
  return outcome::failure(Error{code, std::move(message)});
}

}  // namespace journeyd
