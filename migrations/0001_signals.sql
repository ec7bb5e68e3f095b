CREATE TABLE `atm_iv_history` (
	`symbol` text NOT NULL,
	`date` text NOT NULL,
	`iv` real NOT NULL,
	`iv_rank` real,
	`iv_percentile` real,
	`source` text NOT NULL,
	PRIMARY KEY(`symbol`, `date`)
);
--> statement-breakpoint
CREATE TABLE `congress_trades` (
	`id` text PRIMARY KEY NOT NULL,
	`chamber` text NOT NULL,
	`filer` text NOT NULL,
	`ticker` text,
	`asset_description` text NOT NULL,
	`asset_type` text,
	`transaction_date` text NOT NULL,
	`disclosure_date` text,
	`type` text NOT NULL,
	`amount_text` text NOT NULL,
	`amount_low` real,
	`amount_high` real,
	`owner` text,
	`source` text NOT NULL,
	`ptr_link` text
);
--> statement-breakpoint
CREATE INDEX `congress_trades_ticker_date` ON `congress_trades` (`ticker`,`transaction_date`);--> statement-breakpoint
CREATE TABLE `daily_bars` (
	`symbol` text NOT NULL,
	`date` text NOT NULL,
	`open` real NOT NULL,
	`high` real NOT NULL,
	`low` real NOT NULL,
	`close` real NOT NULL,
	`volume` real NOT NULL,
	`source` text NOT NULL,
	PRIMARY KEY(`symbol`, `date`)
);
--> statement-breakpoint
CREATE TABLE `feature_rows` (
	`symbol` text NOT NULL,
	`computed_at` text NOT NULL,
	`body` text NOT NULL,
	PRIMARY KEY(`symbol`, `computed_at`)
);
--> statement-breakpoint
CREATE TABLE `liquidity_by_underlying` (
	`symbol` text PRIMARY KEY NOT NULL,
	`as_of` text NOT NULL,
	`contracts` integer NOT NULL,
	`quoted_share` real NOT NULL,
	`median_spread_pct` real,
	`atm_spread_pct` real,
	`total_open_interest` integer NOT NULL,
	`total_volume` integer NOT NULL,
	`source` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `macro_events` (
	`id` text PRIMARY KEY NOT NULL,
	`time` text NOT NULL,
	`all_day` integer DEFAULT false NOT NULL,
	`country` text NOT NULL,
	`currency` text,
	`event` text NOT NULL,
	`importance` text NOT NULL,
	`actual` text,
	`forecast` text,
	`previous` text,
	`source` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `macro_events_time` ON `macro_events` (`time`);--> statement-breakpoint
CREATE TABLE `realized_vol` (
	`symbol` text NOT NULL,
	`date` text NOT NULL,
	`cc20` real,
	`cc60` real,
	`parkinson20` real,
	`yang_zhang20` real,
	`trend_score` real,
	`source` text NOT NULL,
	PRIMARY KEY(`symbol`, `date`)
);
--> statement-breakpoint
CREATE TABLE `sentiment_observations` (
	`symbol` text NOT NULL,
	`source` text NOT NULL,
	`observed_at` text NOT NULL,
	`score` real NOT NULL,
	`mentions` integer,
	PRIMARY KEY(`symbol`, `source`, `observed_at`)
);
