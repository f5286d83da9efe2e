"""All configuration, read once from ``GONGKAI_*`` environment variables.

Nothing else in the code base reads ``os.environ``: the eventsourcing environment is
derived here from ``GONGKAI_DATABASE_URL``.
"""

from __future__ import annotations

from collections.abc import Mapping
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlparse

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

APP_NAME = "gongkai"
POLLING_SQLITE_RECORDER = "infra.sqlite:PollingSQLiteApplicationRecorder"
SIZED_POOL_SQLITE_FACTORY = "infra.sqlite:SizedPoolSQLiteFactory"
ORDERED_POSTGRES_RECORDER = "infra.pgrecorder:OrderedPostgresApplicationRecorder"
SHARED_POOL_POSTGRES_FACTORY = "infra.pgfactory:SharedPoolPostgresFactory"
# The address `gongkai serve` listens on by default: the dataschema URLs without
# GONGKAI_PUBLIC_URL.
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
# The projection runners' 7 subscriptions each hold one connection of the pool
# while they listen; their batches and the API's requests need more beside them.
MIN_POOL_CONNECTIONS = 10
# A process that follows the log: that pool, and the projection lock's connection.
FOLLOWER_CONNECTIONS = MIN_POOL_CONNECTIONS + 1
# An API process: a pool of two, and the lock slot every process keeps (unused).
MIN_API_CONNECTIONS = 3


def share_connections(budget: int, workers: int, follower: bool) -> int:
    """``gongkai serve --workers N``: each API worker's share of the budget, after
    the follower's FOLLOWER_CONNECTIONS (if it runs one). ValueError if too small."""
    rest = budget - (FOLLOWER_CONNECTIONS if follower else 0)
    share = rest // workers
    if share < MIN_API_CONNECTIONS:
        need = (FOLLOWER_CONNECTIONS if follower else 0) + workers * MIN_API_CONNECTIONS
        raise ValueError(
            f"GONGKAI_PG_CONNECTIONS is {budget}; {workers} API processes"
            + (f" and the follower ({FOLLOWER_CONNECTIONS})" if follower else "")
            + f" need at least {need} ({MIN_API_CONNECTIONS} a process)"
        )
    return share


def check_follower_budget(budget: int) -> None:
    """ValueError unless a process that follows the log fits in ``budget``."""
    if budget < FOLLOWER_CONNECTIONS:
        raise ValueError(
            f"GONGKAI_PG_CONNECTIONS is {budget}; a process that follows the log "
            f"needs at least {FOLLOWER_CONNECTIONS}: each of the 7 subscriptions "
            "holds a connection while it listens, the work needs more beside them, "
            "and the projection lock has one of its own"
        )


# Settings a release retired, and what replaced each: still set, they would be
# ignored in silence (the settings ignore unknown GONGKAI_* variables).
RETIRED = {
    "GONGKAI_PG_POOL_OVERFLOW": "GONGKAI_PG_CONNECTIONS, the connections of one "
    "command, all its processes together (docs/operations.md#connections)",
}


def retired_settings(environ: Mapping[str, str]) -> list[str]:
    """A sentence for each retired setting still set in ``environ``."""
    return [
        f"{name} is no longer read; use {instead}"
        for name, instead in RETIRED.items()
        if name in environ
    ]


def _items(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


class WitnessSetting(BaseModel):
    """A C2SP tlog-witness: its submission URL prefix and cosignature verifier key."""

    model_config = ConfigDict(extra="forbid")
    url: str = Field(pattern=r"^https?://")
    key: str = Field(min_length=10, max_length=500)


class Settings(BaseSettings):
    """Gongkai settings; see docs/configuration.md for each one."""

    model_config = SettingsConfigDict(env_prefix="GONGKAI_", extra="ignore")

    home: Path = Field(
        default=Path("var"), description="state directory (keys, SQLite)"
    )
    database_url: str = Field(
        default="", description="sqlite:///PATH or postgresql://user@host:port/db"
    )
    token_secret: SecretStr | None = Field(
        default=None, description="HS256 secret for bearer tokens; else a key file"
    )
    token_ttl_hours: int = Field(default=24 * 30, ge=1)
    staff_token_ttl_minutes: int = Field(
        default=8 * 60, ge=1, description="life of a staffer's sign-in token"
    )
    client_token_ttl_minutes: int = Field(
        default=60, ge=1, description="life of an integrator client's token"
    )
    activation_code_ttl_hours: int = Field(default=7 * 24, ge=1)
    signin_account_max_failures: int = Field(
        default=5,
        ge=1,
        description="failed attempts at one account from one address before that "
        "address is locked out of it; also the failures of an account (from "
        "anywhere) after which addresses that failed it wait a growing delay",
    )
    signin_address_max_failures: int = Field(
        default=20, ge=1, description="failed attempts before an address is locked"
    )
    signin_lockout_minutes: int = Field(
        default=15, ge=1, description="the counting window and the lock's length"
    )
    signin_delay_max_seconds: int = Field(
        default=300,
        ge=1,
        description="the longest delay an account's growing delay reaches",
    )
    trusted_proxies: str = Field(
        default="",
        description="comma-separated addresses or networks (10.0.0.5, 10.1.0.0/16) "
        "of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed; "
        "empty (the default): none, the client is the TCP peer",
    )
    receipt_max_failures: int = Field(
        default=5,
        ge=1,
        description="failed 办件查询 lookups of one receipt number before it is locked",
    )
    receipt_address_max_failures: int = Field(
        default=20,
        ge=1,
        description="failed 办件查询 lookups from one address before it is locked",
    )
    receipt_lockout_minutes: int = Field(
        default=15, ge=1, description="the lookups' counting window and lock length"
    )
    backdating_window_working_days: int = Field(default=3, ge=0, le=60)
    fee_reviewers: int = Field(
        default=3, ge=2, le=15, description="集中会审: approvals a fee reduction needs"
    )
    suggestion_answer_months: int = Field(
        default=3,
        ge=1,
        le=12,
        description="建议提案: months from assignment to the written answer",
    )
    meeting_answer_working_days: int = Field(
        default=15,
        ge=1,
        le=60,
        description="座谈会/项目审查会: working days to answer an opinion",
    )
    read_wait_seconds: float = Field(default=2.0, ge=0, le=30)
    run_projections: bool = Field(
        default=True, description="run the projection runners inside the API process"
    )
    installation: str = Field(default="gongkai.local", description="installation name")
    public_url: str = Field(
        default="",
        pattern=r"^(https?://[^/?#\s]+(/[^?#\s]*)?)?$",
        description="where integrators reach the API (the streams' dataschema "
        "URLs); empty: http://127.0.0.1:8000",
    )
    max_request_bytes: int = Field(default=1_048_576, ge=1024)
    drain_seconds: float = Field(
        default=30.0,
        ge=0,
        le=600,
        description="on SIGTERM, the longest a server keeps answering requests in"
        " flight before it stops (it stops sooner once idle)",
    )
    key_dir: Path | None = Field(
        default=None, description="tenants' signing keys (default $GONGKAI_HOME/keys)"
    )
    # PostgreSQL connections (docs/operations.md, "Connections").
    pg_connections: int = Field(
        default=25,
        ge=MIN_API_CONNECTIONS,
        description="the most PostgreSQL connections one gongkai command holds, "
        "all its processes together",
    )
    pg_pool_size: int = Field(
        default=2, ge=1, description="connections a process keeps open at rest"
    )
    pg_connect_timeout: int = Field(
        default=5,
        ge=1,
        le=300,
        description="seconds to wait for a connection before answering 503",
    )
    pg_pre_ping: bool = Field(
        default=False,
        description="check each pooled connection with a round trip before use"
        " (off: a broken connection fails its call, which the store retries)",
    )
    health_max_lag: int = Field(
        default=500,
        ge=0,
        description="a view lagging more events than this makes /v1/health "
        "answer 503 views-stale",
    )
    threads: int = Field(
        default=8,
        ge=1,
        le=200,
        description="requests one API process runs at once (the sync threadpool); "
        "more wait their turn",
    )
    read_cache_mb: int = Field(
        default=64,
        ge=0,
        description="rendered public pages and lists kept per process, keyed by the "
        "views' positions (docs/performance.md, Reads keyed by the log); 0 keeps "
        "none",
    )
    checkpoint_every_events: int = Field(default=100, ge=1)
    checkpoint_every_seconds: float = Field(default=60.0, gt=0)
    follow_batch: int = Field(
        default=1000,
        ge=1,
        description="most events a view or the audit follower commits per transaction",
    )
    witnesses: list[WitnessSetting] = Field(
        default_factory=list,
        description='JSON: [{"url": "http://…", "key": "name+id+base64"}]; top '
        "checkpoints are submitted to each",
    )

    # Mirrors of other installations (docs/federation.md).
    mirrors_follow: bool = Field(
        default=True,
        description="follow every mirror (gongkai mirror add) in the process that "
        "follows the log",
    )
    mirror_poll_seconds: float = Field(
        default=2.0, gt=0, le=3600, description="seconds between a mirror's polls"
    )

    vault_dir: Path | None = Field(
        default=None, description="applicants' keys (default $GONGKAI_HOME/vault)"
    )

    # Logs and metrics (docs/operations.md, "Logs" and "Metrics").
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO",
        description="least level logged by serve, projections run and relay",
    )
    log_format: Literal["auto", "json", "text"] = Field(
        default="auto",
        description="json: one object a line; text; auto: text on a terminal",
    )
    prometheus_multiproc_dir: Path | None = Field(
        default=None,
        validation_alias="PROMETHEUS_MULTIPROC_DIR",
        description="set by serve --workers: where its processes keep their metrics",
    )

    # Streams (docs/integrators.md): the Kafka relay and its producer.
    kafka_bootstrap_servers: str = Field(
        default="", description="host:port[,host:port]; empty = no Kafka (HTTP feed)"
    )
    kafka_security_protocol: str = Field(default="PLAINTEXT")
    kafka_sasl_mechanism: str | None = None
    kafka_sasl_plain_username: str | None = None
    kafka_sasl_plain_password: SecretStr | None = None
    kafka_ssl_cafile: str | None = None
    kafka_ssl_certfile: str | None = None
    kafka_ssl_keyfile: str | None = None
    kafka_client_id: str = Field(default="gongkai-relay")
    kafka_topic_prefix: str = Field(
        default="gongkai",
        pattern=r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$",
        max_length=100,
        description="first part of every topic name, <prefix>.<family>.v1",
    )
    kafka_topic_depth: int = Field(
        default=0,
        ge=0,
        le=4,
        description="0: one topic per family; n: one per family and subtree of the "
        "tenant path's first n codes, <prefix>.<family>.v1.<path>",
    )
    kafka_topic_partitions: int = Field(default=6, ge=1)
    kafka_topic_replication: int = Field(default=1, ge=1)
    kafka_delivery_timeout_ms: int = Field(default=120_000, ge=1000)
    relay_batch: int = Field(default=500, ge=1, le=10_000)
    relay_reader_process: bool = Field(
        default=True,
        description="read and map the log in a second process (a second core)",
    )
    relay_poll_seconds: float = Field(default=0.5, gt=0)
    relay_backoff_max_seconds: float = Field(default=30.0, gt=0)

    @property
    def public_base_url(self) -> str:
        """The API's address for integrators, without a trailing slash."""
        return self.public_url.rstrip("/") or DEFAULT_PUBLIC_URL

    @property
    def effective_key_dir(self) -> Path:
        return self.key_dir or self.home / "keys"

    @property
    def effective_vault_dir(self) -> Path:
        return self.vault_dir or self.home / "vault"

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: str) -> str:
        for item in _items(value):
            try:
                ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"GONGKAI_TRUSTED_PROXIES: {item!r} is not an address or a network"
                    " (e.g. 10.0.0.5 or 10.1.0.0/16)"
                ) from None
        return ",".join(_items(value))

    @property
    def trusted_proxy_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        """The reverse proxies whose forwarded headers are believed."""
        return tuple(ip_network(i, strict=False) for i in _items(self.trusted_proxies))

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _any_case(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, str):
            return value
        return value.upper() if info.field_name == "log_level" else value.lower()

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if value and not value.startswith(
            ("sqlite:///", "postgresql://", "postgres://")
        ):
            raise ValueError(
                "GONGKAI_DATABASE_URL must look like sqlite:///var/gongkai.db "
                "(sqlite:////abs/path) or postgresql://user@host:5432/db"
            )
        return value

    @model_validator(mode="after")
    def _pool_within_the_budget(self) -> Settings:
        if self.pg_pool_size > self.pg_pool_max:
            raise ValueError(
                f"GONGKAI_PG_POOL_SIZE ({self.pg_pool_size}) must be at most "
                f"GONGKAI_PG_CONNECTIONS - 1 ({self.pg_pool_max}): the connections "
                "kept open at rest are part of the budget"
            )
        return self

    @property
    def pg_pool_max(self) -> int:
        """The most connections this process's pool opens: the budget less one
        for the lock a follower or relay holds outside the pool."""
        return self.pg_connections - 1

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'gongkai.db'}"

    @property
    def store_kind(self) -> str:
        url = self.effective_database_url
        return "postgresql" if url.startswith("postgres") else "sqlite"

    def sqlite_path(self) -> Path:
        """``sqlite:///relative/path`` or ``sqlite:////absolute/path``."""
        rest = self.effective_database_url.split(":", 1)[1]
        if not rest.startswith("///"):
            raise ValueError("a SQLite URL looks like sqlite:///var/gongkai.db")
        return Path(unquote(rest[3:]))

    def eventsourcing_env(self, pool_max: int | None = None) -> dict[str, str]:
        """The environment eventsourcing's factories read, for apps and views alike
        (``pool_max``: a smaller pool than the budget's, e.g. the relay's reader)."""
        if self.store_kind == "sqlite":
            path = self.sqlite_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            return {
                "PERSISTENCE_MODULE": SIZED_POOL_SQLITE_FACTORY,
                "SQLITE_DBNAME": str(path),
                # A connection per request thread in every pool: the library's
                # pool of 5 opened and closed overflow connections per query
                # under load (docs/performance.md, Reads keyed by the log).
                "SQLITE_POOL_SIZE": str(self.threads),
                "SQLITE_LOCK_TIMEOUT": "30",
                "APPLICATION_RECORDER_TOPIC": POLLING_SQLITE_RECORDER,
            }
        url = urlparse(self.effective_database_url)
        most = self.pg_pool_max if pool_max is None else pool_max
        return {
            "PERSISTENCE_MODULE": SHARED_POOL_POSTGRES_FACTORY,
            "POSTGRES_DBNAME": url.path.lstrip("/") or "gongkai",
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            # One pool per process, shared by every application and view.
            "POSTGRES_POOL_SIZE": str(min(self.pg_pool_size, most)),
            "POSTGRES_MAX_OVERFLOW": str(most - min(self.pg_pool_size, most)),
            # Bounds both a new connection and a checkout from a pool: while the
            # database is down a request fails after this many seconds (503).
            "POSTGRES_CONNECT_TIMEOUT": str(self.pg_connect_timeout),
            "POSTGRES_LOCK_TIMEOUT": "10",
            "POSTGRES_PRE_PING": "y" if self.pg_pre_ping else "n",
            "APPLICATION_RECORDER_TOPIC": ORDERED_POSTGRES_RECORDER,
        }
