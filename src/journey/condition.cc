#include "journey/condition.h"

namespace journeyd::journey {
namespace {

using Type = event::FieldValue::Type;

event::FieldValue text(std::string_view s) {
  event::FieldValue v;
  v.type = Type::string;
  v.string = s;
  return v;
}

// Typed equality: a number equals only a number, a string only a string.
bool equal(const event::FieldValue& f, const Scalar& s) {
  switch (f.type) {
    case Type::null:
      return std::holds_alternative<std::monostate>(s);
    case Type::boolean:
      return std::holds_alternative<bool>(s) && std::get<bool>(s) == f.boolean;
    case Type::number:
      return std::holds_alternative<double>(s) && std::get<double>(s) == f.number;
    case Type::string:
      return std::holds_alternative<std::string>(s) && std::get<std::string>(s) == f.string;
  }
  return false;
}

// <0, 0, >0, or nullopt when the types do not compare (numbers with numbers, strings with strings).
std::optional<int> compare(const event::FieldValue& f, const Scalar& s) {
  if (f.type == Type::number && std::holds_alternative<double>(s)) {
    const double b = std::get<double>(s);
    return f.number < b ? -1 : (f.number > b ? 1 : 0);
  }
  if (f.type == Type::string && std::holds_alternative<std::string>(s)) {
    const int c = f.string.compare(std::get<std::string>(s));
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return std::nullopt;
}

}  // namespace

std::optional<event::FieldValue> field_of(const event::Touchpoint& tp, std::string_view path) {
  if (path == "event") return text(tp.event);
  if (path == "type") return text(event::to_string(tp.type));
  if (path == "userId") return tp.user_id.empty() ? std::nullopt : std::optional(text(tp.user_id));
  if (path == "anonymousId")
    return tp.anonymous_id.empty() ? std::nullopt : std::optional(text(tp.anonymous_id));
  if (path == "messageId") return tp.message_id.empty() ? std::nullopt : std::optional(text(tp.message_id));
  return tp.fields.get(path);
}

bool holds(const Condition& c, const event::Touchpoint& tp) {
  const auto f = field_of(tp, c.path);
  if (c.op == CmpOp::exists) {
    const bool want =
        c.values.empty() || !std::holds_alternative<bool>(c.values[0]) || std::get<bool>(c.values[0]);
    return f.has_value() == want;
  }
  if (c.op == CmpOp::ne) return !f || c.values.empty() || !equal(*f, c.values[0]);
  if (!f || c.values.empty()) return false;
  switch (c.op) {
    case CmpOp::eq:
      return equal(*f, c.values[0]);
    case CmpOp::in:
      for (const auto& v : c.values)
        if (equal(*f, v)) return true;
      return false;
    case CmpOp::gt:
    case CmpOp::gte:
    case CmpOp::lt:
    case CmpOp::lte: {
      const auto r = compare(*f, c.values[0]);
      if (!r) return false;
      if (c.op == CmpOp::gt) return *r > 0;
      if (c.op == CmpOp::gte) return *r >= 0;
      if (c.op == CmpOp::lt) return *r < 0;
      return *r <= 0;
    }
    default:
      return false;
  }
}

bool matches(const Match& m, const event::Touchpoint& tp) {
  if (tp.event != m.event) return false;
  for (const auto& c : m.where)
    if (!holds(c, tp)) return false;
  return true;
}

}  // namespace journeyd::journey
