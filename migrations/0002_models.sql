CREATE TABLE `knowledge_docs` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`tags` text DEFAULT '' NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `model_registry` (
	`name` text NOT NULL,
	`version` text NOT NULL,
	`stage` text NOT NULL,
	`metrics` text NOT NULL,
	`features` text NOT NULL,
	`r2_key` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`name`, `version`)
);
--> statement-breakpoint
CREATE TABLE `recommendation_scores` (
	`recommendation_id` text PRIMARY KEY NOT NULL,
	`symbol` text NOT NULL,
	`contract_ticker` text,
	`expiration` text,
	`entry_ask` real,
	`model_name` text,
	`model_version` text,
	`rule_score` real,
	`ml_score` real,
	`hybrid_score` real,
	`weights` text,
	`features` text,
	`request` text NOT NULL,
	`rationale_source` text NOT NULL,
	`degraded` text DEFAULT '[]' NOT NULL,
	`created_at` text NOT NULL,
	`outcome` real,
	`evaluated_at` text
);
--> statement-breakpoint
CREATE INDEX `recommendation_scores_expiration` ON `recommendation_scores` (`expiration`);