CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" (
    "MigrationId" character varying(150) NOT NULL,
    "ProductVersion" character varying(32) NOT NULL,
    CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY ("MigrationId")
);

START TRANSACTION;
CREATE TABLE "Tenants" (
    "Id" uuid NOT NULL,
    "Name" character varying(200) NOT NULL,
    "Industry" character varying(200) NOT NULL,
    "Currency" character varying(3) NOT NULL,
    "ApiKeyId" character varying(32) NOT NULL,
    "ApiKeyHash" bytea NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_Tenants" PRIMARY KEY ("Id")
);

CREATE UNIQUE INDEX "IX_Tenants_ApiKeyId" ON "Tenants" ("ApiKeyId");

CREATE TABLE "Clients" (
    "Id" uuid NOT NULL,
    "TenantId" uuid NOT NULL,
    "ExternalId" character varying(100),
    "CreatedAt" timestamp with time zone NOT NULL,
    "UpdatedAt" timestamp with time zone NOT NULL,
    "Version" integer NOT NULL,
    "Name" character varying(200) NOT NULL,
    "AcquiredOn" date NOT NULL,
    "ChurnedOn" date,
    "Industry" character varying(200),
    "Segment" character varying(200),
    CONSTRAINT "PK_Clients" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_Clients_Tenants_TenantId" FOREIGN KEY ("TenantId") REFERENCES "Tenants" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_Clients_TenantId_AcquiredOn" ON "Clients" ("TenantId", "AcquiredOn");

CREATE INDEX "IX_Clients_TenantId_ChurnedOn" ON "Clients" ("TenantId", "ChurnedOn");

CREATE UNIQUE INDEX "IX_Clients_TenantId_ExternalId" ON "Clients" ("TenantId", "ExternalId");

CREATE TABLE "Contracts" (
    "Id" uuid NOT NULL,
    "TenantId" uuid NOT NULL,
    "ExternalId" character varying(100),
    "CreatedAt" timestamp with time zone NOT NULL,
    "UpdatedAt" timestamp with time zone NOT NULL,
    "Version" integer NOT NULL,
    "ClientId" uuid NOT NULL,
    "SignedOn" date NOT NULL,
    "StartsOn" date NOT NULL,
    "EndsOn" date NOT NULL,
    "ValueMinor" bigint NOT NULL,
    "Currency" character varying(3) NOT NULL,
    "Kind" character varying(16) NOT NULL,
    CONSTRAINT "PK_Contracts" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_Contracts_Clients_ClientId" FOREIGN KEY ("ClientId") REFERENCES "Clients" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_Contracts_Tenants_TenantId" FOREIGN KEY ("TenantId") REFERENCES "Tenants" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_Contracts_ClientId" ON "Contracts" ("ClientId");

CREATE UNIQUE INDEX "IX_Contracts_TenantId_ExternalId" ON "Contracts" ("TenantId", "ExternalId");

CREATE INDEX "IX_Contracts_TenantId_SignedOn" ON "Contracts" ("TenantId", "SignedOn");

CREATE INDEX "IX_Contracts_TenantId_StartsOn_EndsOn" ON "Contracts" ("TenantId", "StartsOn", "EndsOn");

CREATE TABLE "Leads" (
    "Id" uuid NOT NULL,
    "TenantId" uuid NOT NULL,
    "ExternalId" character varying(100),
    "CreatedAt" timestamp with time zone NOT NULL,
    "UpdatedAt" timestamp with time zone NOT NULL,
    "Version" integer NOT NULL,
    "CreatedOn" date NOT NULL,
    "QualifiedOn" date,
    "OpportunityOn" date,
    "ClosedOn" date,
    "Outcome" character varying(16),
    "DealValueMinor" bigint,
    "Currency" character varying(3),
    "Source" character varying(200),
    CONSTRAINT "PK_Leads" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_Leads_Tenants_TenantId" FOREIGN KEY ("TenantId") REFERENCES "Tenants" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_Leads_TenantId_ClosedOn" ON "Leads" ("TenantId", "ClosedOn");

CREATE INDEX "IX_Leads_TenantId_CreatedOn" ON "Leads" ("TenantId", "CreatedOn");

CREATE UNIQUE INDEX "IX_Leads_TenantId_ExternalId" ON "Leads" ("TenantId", "ExternalId");

CREATE INDEX "IX_Leads_TenantId_QualifiedOn" ON "Leads" ("TenantId", "QualifiedOn");

CREATE TABLE "Surveys" (
    "Id" uuid NOT NULL,
    "TenantId" uuid NOT NULL,
    "ExternalId" character varying(100),
    "CreatedAt" timestamp with time zone NOT NULL,
    "UpdatedAt" timestamp with time zone NOT NULL,
    "Version" integer NOT NULL,
    "Kind" character varying(16) NOT NULL,
    "Score" integer NOT NULL,
    "RespondedOn" date NOT NULL,
    "ClientId" uuid,
    "RespondentRole" character varying(32),
    CONSTRAINT "PK_Surveys" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_Surveys_Clients_ClientId" FOREIGN KEY ("ClientId") REFERENCES "Clients" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_Surveys_Tenants_TenantId" FOREIGN KEY ("TenantId") REFERENCES "Tenants" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_Surveys_ClientId" ON "Surveys" ("ClientId");

CREATE UNIQUE INDEX "IX_Surveys_TenantId_ExternalId" ON "Surveys" ("TenantId", "ExternalId");

CREATE INDEX "IX_Surveys_TenantId_Kind_RespondedOn" ON "Surveys" ("TenantId", "Kind", "RespondedOn");

CREATE TABLE "Costs" (
    "Id" uuid NOT NULL,
    "TenantId" uuid NOT NULL,
    "ExternalId" character varying(100),
    "CreatedAt" timestamp with time zone NOT NULL,
    "UpdatedAt" timestamp with time zone NOT NULL,
    "Version" integer NOT NULL,
    "Category" character varying(16) NOT NULL,
    "AmountMinor" bigint NOT NULL,
    "Currency" character varying(3) NOT NULL,
    "IncurredOn" date NOT NULL,
    CONSTRAINT "PK_Costs" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_Costs_Tenants_TenantId" FOREIGN KEY ("TenantId") REFERENCES "Tenants" ("Id") ON DELETE CASCADE
);

CREATE UNIQUE INDEX "IX_Costs_TenantId_ExternalId" ON "Costs" ("TenantId", "ExternalId");

CREATE INDEX "IX_Costs_TenantId_IncurredOn_Category" ON "Costs" ("TenantId", "IncurredOn", "Category");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261122000000_Initial', '10.0.14');

COMMIT;

START TRANSACTION;
CREATE TABLE "IdempotencyRecords" (
    "Id" uuid NOT NULL,
    "Scope" uuid NOT NULL,
    "Key" character varying(255) NOT NULL,
    "RequestHash" bytea NOT NULL,
    "StatusCode" integer,
    "ContentType" character varying(200),
    "Location" character varying(200),
    "Body" bytea,
    "CreatedAt" timestamp with time zone NOT NULL,
    "ExpiresAt" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_IdempotencyRecords" PRIMARY KEY ("Id")
);

CREATE INDEX "IX_IdempotencyRecords_ExpiresAt" ON "IdempotencyRecords" ("ExpiresAt");

CREATE UNIQUE INDEX "IX_IdempotencyRecords_Scope_Key" ON "IdempotencyRecords" ("Scope", "Key");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261122010000_Idempotency', '10.0.14');

COMMIT;

