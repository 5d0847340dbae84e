-- Idempotent intake: a ticket may carry the id another system knows it by (a help desk's ticket id, an email's
-- Message-ID), unique per organization and source, so a gateway that retries a create never makes two.
ALTER TABLE "tickets" ADD COLUMN "external_source" text;
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "external_id" text;
--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_external_pair" CHECK (("external_id" IS NULL) = ("external_source" IS NULL));
--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_external_key" ON "tickets" USING btree ("org_id","external_source","external_id") WHERE "external_id" IS NOT NULL;
