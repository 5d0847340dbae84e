-- The search document of a ticket is rebuilt only when its text changes. The move statement sets every
-- column of the ticket (one prepared shape for all moves), subject and customer included, and a trigger
-- `UPDATE OF subject, …` fires whenever those columns are in the SET list, changed or not: every step
-- rebuilt the ticket's tsvector and rewrote its GIN entry. The WHEN clause compares the old and new text
-- in the executor, so a move that leaves it alone calls no function at all.
DROP TRIGGER IF EXISTS ticket_search_on_ticket ON tickets;
--> statement-breakpoint
CREATE TRIGGER ticket_search_on_ticket_insert AFTER INSERT
  ON tickets FOR EACH ROW EXECUTE FUNCTION stepwise_index_ticket();
--> statement-breakpoint
CREATE TRIGGER ticket_search_on_ticket_update AFTER UPDATE OF subject, description, customer_name, customer_email
  ON tickets FOR EACH ROW
  WHEN (OLD.subject IS DISTINCT FROM NEW.subject
     OR OLD.description IS DISTINCT FROM NEW.description
     OR OLD.customer_name IS DISTINCT FROM NEW.customer_name
     OR OLD.customer_email IS DISTINCT FROM NEW.customer_email)
  EXECUTE FUNCTION stepwise_index_ticket();
--> statement-breakpoint
DROP TRIGGER IF EXISTS ticket_search_on_message ON ticket_messages;
--> statement-breakpoint
CREATE TRIGGER ticket_search_on_message_insert AFTER INSERT
  ON ticket_messages FOR EACH ROW EXECUTE FUNCTION stepwise_index_message();
--> statement-breakpoint
CREATE TRIGGER ticket_search_on_message_update AFTER UPDATE OF body
  ON ticket_messages FOR EACH ROW WHEN (OLD.body IS DISTINCT FROM NEW.body)
  EXECUTE FUNCTION stepwise_index_message();
