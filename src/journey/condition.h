// Evaluates event patterns (name + `where` conditions) against a decoded
// touchpoint. Semantics in docs/journeys.md "Events and conditions".
#pragma once

#include "event/touchpoint.h"
#include "journey/definition.h"

namespace journeyd::journey {

// The field at `path`: properties.*, context.*, traits.*, or one of the
// top-level event, type, userId, anonymousId, messageId.
std::optional<event::FieldValue> field_of(const event::Touchpoint& tp, std::string_view path);

bool holds(const Condition& c, const event::Touchpoint& tp);
// The event's name equals m.event and every condition holds.
bool matches(const Match& m, const event::Touchpoint& tp);

}  // namespace journeyd::journey
