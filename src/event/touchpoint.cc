#include "event/touchpoint.h"

namespace journeyd::event {

// Offsets, not pointers: text_ may reallocate on any append. Views are only
// built in get(), from the arena as it is then.
uint32_t Fields::append(std::string_view s) {
  const auto off = static_cast<uint32_t>(text_.size());
  text_.append(s);
  return off;
}

void Fields::add_null(std::string_view path) {
  const uint32_t p = append(path);
  entries_.push_back({p, static_cast<uint32_t>(path.size()), FieldValue::Type::null, false, 0, 0, 0});
}

void Fields::add_bool(std::string_view path, bool v) {
  const uint32_t p = append(path);
  entries_.push_back({p, static_cast<uint32_t>(path.size()), FieldValue::Type::boolean, v, 0, 0, 0});
}

void Fields::add_number(std::string_view path, double v) {
  const uint32_t p = append(path);
  entries_.push_back({p, static_cast<uint32_t>(path.size()), FieldValue::Type::number, false, v, 0, 0});
}

void Fields::add_string(std::string_view path, std::string_view v) {
  const uint32_t p = append(path);
  const uint32_t s = append(v);
  entries_.push_back({p, static_cast<uint32_t>(path.size()), FieldValue::Type::string, false, 0, s,
                      static_cast<uint32_t>(v.size())});
}

std::optional<FieldValue> Fields::get(std::string_view path) const {
  const std::string_view text = text_;
  // Backwards: the last value added under a path wins (a repeated key in the JSON).
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->path_len != path.size() || text.substr(it->path_off, it->path_len) != path) continue;
    FieldValue v;
    v.type = it->type;
    v.boolean = it->boolean;
    v.number = it->number;
    if (it->type == FieldValue::Type::string) v.string = text.substr(it->str_off, it->str_len);
    return v;
  }
  return std::nullopt;
}

}  // namespace journeyd::event
