-- A gateway passes a customer's answer on by the id it gave the ticket (`tickets.addMessage` with
-- `externalId`, its source optional): found by organization and external id, whatever the source.
CREATE INDEX "tickets_external_id_idx" ON "tickets" USING btree ("org_id","external_id") WHERE "external_id" IS NOT NULL;
