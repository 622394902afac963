-- Notes the staff write on an appointment (AppointmentNoteAdded), oldest first: each
-- {"id", "by" (a user id), "at", "text"}.
alter table appointments add column notes jsonb not null default '[]';
