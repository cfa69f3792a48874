"""Named, numbered schema migrations, recorded in the database (``_migrations``).

Each migration runs in its own transaction. Never edit a migration that has shipped:
add a new one. Adding a submission field = a new migration with ``ALTER TABLE
submissions ADD COLUMN`` (and the field in ``kpi_audit/fields.py``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    sql: str


_SUBMISSION_COLUMNS = """
    org_code VARCHAR NOT NULL,
    org_name VARCHAR,
    city VARCHAR,
    county VARCHAR,
    org_type VARCHAR,
    hospital_grade VARCHAR,
    area VARCHAR,
    total_visits BIGINT,
    tcm_visits BIGINT,
    general_outpatient_visits BIGINT,
    appointment_visits BIGINT,
    referrals_up BIGINT,
    referrals_down BIGINT,
    resident_population BIGINT,
    signed_residents BIGINT,
    key_population BIGINT,
    key_signed BIGINT,
    beds BIGINT,
    health_technicians BIGINT,
    mid_senior_title_staff BIGINT,
    bachelor_staff BIGINT,
    college_staff BIGINT,
    doctors BIGINT,
    nurses BIGINT,
    general_practitioners BIGINT,
    chronic_patients BIGINT,
    chronic_managed BIGINT,
    day_surgery_types BIGINT,
    key_specialties BIGINT,
    emr_level BIGINT,
    county_level_hospital BOOLEAN,
    provides_tcm BOOLEAN,
    meets_basic_standard BOOLEAN,
    meets_recommended_standard BOOLEAN,
    on_referral_platform BOOLEAN,
    provides_telemedicine BOOLEAN
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "create_files_submissions_issues",
        f"""
        CREATE SEQUENCE file_id_seq START 1;
        -- One row per ingested file (identified by content: sha256).
        CREATE TABLE files (
            file_id BIGINT PRIMARY KEY DEFAULT nextval('file_id_seq'),
            path VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL UNIQUE,
            size_bytes BIGINT NOT NULL,
            ingested_at TIMESTAMP NOT NULL,
            rows_loaded BIGINT NOT NULL DEFAULT 0,
            rows_rejected BIGINT NOT NULL DEFAULT 0,
            strict BOOLEAN NOT NULL DEFAULT FALSE
        );
        -- Every accepted row ever loaded, with provenance. Later loads of the same
        -- org_code + period supersede earlier ones; nothing is deleted.
        CREATE TABLE submissions (
            file_id BIGINT NOT NULL REFERENCES files (file_id),
            sheet VARCHAR,
            source_row INTEGER NOT NULL,   -- the row number the user sees in Excel / an editor
            ingested_at TIMESTAMP NOT NULL,
            period VARCHAR NOT NULL,       -- canonical: 2024Q3 or 2024
            period_year INTEGER NOT NULL,
            period_quarter INTEGER,        -- NULL for a whole year
            {_SUBMISSION_COLUMNS}
        );
        -- Rows rejected at ingest, kept with their values for the reports.
        CREATE TABLE rejects (
            file_id BIGINT NOT NULL REFERENCES files (file_id),
            sheet VARCHAR,
            source_row INTEGER NOT NULL,
            period VARCHAR,
            org_code VARCHAR,
            org_name VARCHAR,
            county VARCHAR,
            raw_json VARCHAR             -- the row as read, header -> text
        );
        -- Every validation problem found at ingest (errors reject their row;
        -- warnings do not).
        CREATE TABLE ingest_issues (
            file_id BIGINT NOT NULL REFERENCES files (file_id),
            sheet VARCHAR,
            source_row INTEGER,            -- NULL for a file- or sheet-level problem
            field VARCHAR,
            value VARCHAR,
            severity VARCHAR NOT NULL,     -- error | warning | notice
            code VARCHAR NOT NULL,         -- e.g. required, vocabulary, part_exceeds_whole
            message_zh VARCHAR NOT NULL,
            message_en VARCHAR NOT NULL,
            period VARCHAR,
            org_code VARCHAR
        );
        -- What every query should see: the latest load of each institution and period.
        CREATE VIEW current_submissions AS
            SELECT * FROM submissions
            QUALIFY row_number() OVER (
                PARTITION BY org_code, period ORDER BY file_id DESC, source_row DESC) = 1;
        -- Rejected rows not since replaced by an accepted row for the same
        -- institution and period from a later file.
        CREATE VIEW current_rejects AS
            SELECT r.* FROM rejects r
            WHERE NOT EXISTS (
                SELECT 1 FROM submissions s
                WHERE s.org_code = r.org_code AND s.period = r.period
                  AND s.file_id > r.file_id);
        """,
    ),
    Migration(
        2,
        "ingest_issues_header",
        # The header as written in the file, next to the field id it was matched to.
        "ALTER TABLE ingest_issues ADD COLUMN header VARCHAR;",
    ),
    Migration(
        10,
        "period_aggregates",
        # Per period × county × city × indicator sums, for trends, rankings and history
        # without recomputation (store/aggregates.py says when an entry is still valid).
        """
        CREATE TABLE period_aggregates (
            period VARCHAR NOT NULL,
            indicator VARCHAR NOT NULL,
            county VARCHAR,
            city VARCHAR,
            numerator DOUBLE,
            denominator DOUBLE
        );
        CREATE TABLE period_aggregate_runs (
            period VARCHAR NOT NULL,
            indicator VARCHAR NOT NULL,
            definition VARCHAR NOT NULL,   -- hash of the indicator's SQL and the version
            fingerprint VARCHAR NOT NULL,  -- of the submissions (and registers) it read
            computed_at TIMESTAMP NOT NULL,
            PRIMARY KEY (period, indicator)
        );
        """,
    ),
    Migration(
        11,
        "period_aggregates_numerator_all",
        # A population-based ratio on the area register's basis divides the numerator of
        # every row that reported it (not only the rows that also reported a population).
        "ALTER TABLE period_aggregates ADD COLUMN numerator_all DOUBLE;",
    ),
)

# Numbers 20–29: the data-quality review (kpi_audit/quality/).
MIGRATIONS += (
    Migration(
        20,
        "files_received_at",
        # The date the office received the file (`ingest --received`), when it is not
        # the day it was ingested: what late_submission compares with the deadline.
        "ALTER TABLE files ADD COLUMN received_at DATE;",
    ),
)

# Numbers 50–59: the fields added for the targets (issue 9).
MIGRATIONS += (
    Migration(
        50,
        "submission_fields_for_targets",
        """
        ALTER TABLE submissions ADD COLUMN outpatient_visits BIGINT;
        ALTER TABLE submissions ADD COLUMN county_key_specialties BIGINT;
        ALTER TABLE submissions ADD COLUMN hospital_rank VARCHAR;
        ALTER TABLE submissions ADD COLUMN ownership VARCHAR;
        ALTER TABLE submissions ADD COLUMN partnered_with_hospital BOOLEAN;
        -- The views of migration 1 bound submissions' columns when they were made.
        CREATE OR REPLACE VIEW current_submissions AS
            SELECT * FROM submissions
            QUALIFY row_number() OVER (
                PARTITION BY org_code, period ORDER BY file_id DESC, source_row DESC) = 1;
        CREATE OR REPLACE VIEW current_rejects AS
            SELECT r.* FROM rejects r
            WHERE NOT EXISTS (
                SELECT 1 FROM submissions s
                WHERE s.org_code = r.org_code AND s.period = r.period
                  AND s.file_id > r.file_id);
        """,
    ),
)

# Numbers 60–69: the reference registers (domain.md §3b, issue 8).
MIGRATIONS += (
    Migration(
        60,
        "registers",
        # The area register (行政区划与人口, key area_code + year) and the institution
        # register (机构名录, key org_code). A later load of a key sets superseded_at on
        # the row it replaces; nothing is deleted. *_ord = year*10 + quarter (a bare
        # year: from -> Y*10+1, until -> Y*10+4); NULL = an open window.
        """
        CREATE SEQUENCE register_file_id_seq START 1;
        CREATE TABLE register_files (
            file_id BIGINT PRIMARY KEY DEFAULT nextval('register_file_id_seq'),
            kind VARCHAR NOT NULL CHECK (kind IN ('areas', 'institutions')),
            path VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL,
            loaded_at TIMESTAMP NOT NULL,
            rows BIGINT NOT NULL DEFAULT 0
        );
        CREATE TABLE area_register (
            area_code VARCHAR NOT NULL,
            county VARCHAR NOT NULL,
            city VARCHAR,
            area_type VARCHAR,             -- 市辖区 | 县 | 县级市 | 其他
            area_type_basis VARCHAR CHECK (area_type_basis IN ('stated', 'code')),
            year INTEGER NOT NULL,
            population BIGINT NOT NULL,
            urban_population BIGINT,
            rural_population BIGINT,
            key_population BIGINT,
            households BIGINT,
            file_id BIGINT NOT NULL REFERENCES register_files (file_id),
            source_row INTEGER NOT NULL,
            loaded_at TIMESTAMP NOT NULL,
            superseded_at TIMESTAMP
        );
        CREATE TABLE institution_register (
            org_code VARCHAR NOT NULL,
            org_name VARCHAR NOT NULL,
            county VARCHAR NOT NULL,
            city VARCHAR,
            org_type VARCHAR NOT NULL,
            hospital_grade VARCHAR,
            hospital_rank VARCHAR,
            ownership VARCHAR,
            township VARCHAR,
            reports_from VARCHAR,          -- canonical period text: 2024Q2 or 2024
            reports_until VARCHAR,
            reports_from_ord INTEGER,
            reports_until_ord INTEGER,
            file_id BIGINT NOT NULL REFERENCES register_files (file_id),
            source_row INTEGER NOT NULL,
            loaded_at TIMESTAMP NOT NULL,
            superseded_at TIMESTAMP
        );
        -- Problems found loading a register file (same columns as ingest_issues).
        CREATE TABLE register_issues (
            file_id BIGINT NOT NULL REFERENCES register_files (file_id),
            sheet VARCHAR,
            source_row INTEGER,
            field VARCHAR,
            header VARCHAR,
            value VARCHAR,
            severity VARCHAR NOT NULL,
            code VARCHAR NOT NULL,
            message_zh VARCHAR NOT NULL,
            message_en VARCHAR NOT NULL,
            area_code VARCHAR,
            org_code VARCHAR
        );
        CREATE VIEW current_area_register AS
            SELECT * FROM area_register WHERE superseded_at IS NULL;
        CREATE VIEW current_institution_register AS
            SELECT * FROM institution_register WHERE superseded_at IS NULL;
        """,
    ),
)
