"""``Services``: Relay's domain services, built once per process from the shared parts.

The API builds one in its lifespan and hands it to every route (``api.deps.ServicesDep``);
the worker can build one too. Nothing below it passes ``(engine, client, settings)`` by
hand: each service holds the parts it needs.

    services = Services.create(settings=settings, engine=engine, temporal=client)
    await services.events.ingest(account_id=..., name="signup", data={...})
"""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Engine
from temporalio.client import Client

from activities.registry import ActionSpec, load_actions
from relay.core.settings import Settings
from relay.services import flow_control
from relay.services.accounts import AccountService
from relay.services.codec import CodecService
from relay.services.events import EventService
from relay.services.health import HealthService
from relay.services.jobs import JobService
from relay.services.runs import RunService
from relay.services.schedules import ScheduleService
from relay.services.secrets import SecretService
from relay.services.templates import TemplateService
from relay.services.test_runs import TestRunService
from relay.services.warnings import WarningService
from relay.services.webhooks import WebhookService
from relay.services.workflows import WorkflowService
from relay.storage.secrets import SecretBox


@dataclass(frozen=True, kw_only=True)
class Services:
    """The shared parts and one service per domain, each holding what it needs of them."""

    settings: Settings
    engine: Engine
    temporal: Client
    actions: Mapping[str, ActionSpec]
    secret_box: SecretBox

    accounts: AccountService
    events: EventService
    workflows: WorkflowService
    schedules: ScheduleService
    runs: RunService
    secrets: SecretService
    templates: TemplateService
    codec: CodecService
    health: HealthService
    jobs: JobService
    webhooks: WebhookService
    test_runs: TestRunService
    warnings: WarningService

    @classmethod
    def create(
        cls,
        *,
        settings: Settings,
        engine: Engine,
        temporal: Client,
        actions: Mapping[str, ActionSpec] | None = None,
        secret_box: SecretBox | None = None,
    ) -> "Services":
        """Wire every service. ``actions`` defaults to the built-ins plus ``settings``' modules."""
        actions = actions if actions is not None else load_actions(settings.action_modules)
        flow_control.configure(settings)  # fairness and the account cap, for this process
        secret_box = secret_box or SecretBox(settings.secrets_keys)
        schedules = ScheduleService(engine=engine, temporal=temporal, settings=settings)
        return cls(
            settings=settings,
            engine=engine,
            temporal=temporal,
            actions=actions,
            secret_box=secret_box,
            accounts=AccountService(engine=engine),
            events=EventService(engine=engine, temporal=temporal, settings=settings),
            workflows=WorkflowService(engine=engine, actions=actions, schedules=schedules),
            schedules=schedules,
            runs=RunService(engine=engine, temporal=temporal, settings=settings),
            secrets=SecretService(engine=engine, box=secret_box),
            templates=TemplateService(engine=engine),
            codec=CodecService(engine=engine, settings=settings),
            health=HealthService(engine=engine, temporal=temporal),
            jobs=JobService(engine=engine, temporal=temporal, settings=settings),
            webhooks=WebhookService(engine=engine, box=secret_box, allow=settings.http_allow),
            test_runs=TestRunService(engine=engine, actions=actions),
            warnings=WarningService(engine=engine),
        )
