-- The reports read a flow's tickets finished in a range and those created in it by their own time columns, and
-- one node's stays of a version that ended in a range from the index alone (it replaces the (version, left_at)
-- index: as many index entries per stay, wider ones). docs/analytics.md says why.
DROP INDEX "ticket_visits_version_left_idx";--> statement-breakpoint
CREATE INDEX "ticket_visits_version_node_left_idx" ON "ticket_visits" USING btree ("version_id","node_id","left_at","entered_at","breached","handle","next_node_id","ticket_id");--> statement-breakpoint
CREATE INDEX "tickets_flow_closed_idx" ON "tickets" USING btree ("flow_id","closed_at");--> statement-breakpoint
CREATE INDEX "tickets_flow_created_idx" ON "tickets" USING btree ("flow_id","created_at");