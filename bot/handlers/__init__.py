"""The core's handlers, by audience: staff, coordinators, leads. Each takes a `Turn` (one
event's session, person and clock) and a typed command or event, and returns a `Reply`."""
