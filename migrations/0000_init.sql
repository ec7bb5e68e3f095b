CREATE TABLE `job_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job` text NOT NULL,
	`cron` text,
	`started_at` text NOT NULL,
	`finished_at` text,
	`status` text NOT NULL,
	`detail` text
);
--> statement-breakpoint
CREATE TABLE `profiles` (
	`user_id` text PRIMARY KEY NOT NULL,
	`capital` real NOT NULL,
	`default_preset` text NOT NULL,
	`outlook` text DEFAULT 'auto' NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `recommendations` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text,
	`symbol` text NOT NULL,
	`contract_ticker` text,
	`created_at` text NOT NULL,
	`body` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `recommendations_symbol_created` ON `recommendations` (`symbol`,`created_at`);--> statement-breakpoint
CREATE TABLE `symbols` (
	`symbol` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`exchange` text NOT NULL,
	`has_weeklies` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE `watchlist_items` (
	`user_id` text NOT NULL,
	`symbol` text NOT NULL,
	`position` integer NOT NULL,
	`added_at` text NOT NULL,
	PRIMARY KEY(`user_id`, `symbol`)
);
