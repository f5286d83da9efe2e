"""The power list's vocabularies, with the Chinese labels clerks and CSV files use:
the national 权责清单 kinds of power, a power's state, risk levels and kinds of
prevention measure. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

from domain.errors import join_codes

E = TypeVar("E", bound="Labelled")


class Labelled(StrEnum):
    """An enum whose members have a Chinese label (``LABELS`` of the subclass)."""

    @property
    def label(self) -> str:
        """Chinese name, as staff read it and CSV files write it."""
        return _LABELS[self]

    @classmethod
    def parse(cls: type[E], text: str) -> E | None:
        """The member whose code or Chinese label is ``text``, else None."""
        key = text.strip()
        return next((m for m in cls if key in (m.value, m.label)), None)

    @classmethod
    def allowed(cls) -> str:
        """The labels, for an error message."""
        return join_codes([m.label for m in cls])


class PowerKind(Labelled):
    """The ten categories of the national 权责清单."""

    LICENSING = "licensing"
    PENALTY = "penalty"
    COERCION = "coercion"
    LEVY = "levy"
    BENEFIT = "benefit"
    INSPECTION = "inspection"
    CONFIRMATION = "confirmation"
    REWARD = "reward"
    ADJUDICATION = "adjudication"
    OTHER = "other"


class PowerState(Labelled):
    """Whether a power is exercised as listed, was changed, or was abolished."""

    IN_FORCE = "in_force"
    AMENDED = "amended"
    ABOLISHED = "abolished"


class RiskLevel(Labelled):
    """廉政风险等级."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class MeasureKind(Labelled):
    """防范措施 by means: a rule, a technical control, or oversight."""

    SYSTEM = "system"
    TECHNICAL = "technical"
    OVERSIGHT = "oversight"


_LABELS: Mapping[StrEnum, str] = MappingProxyType(
    {
        PowerKind.LICENSING: "行政许可",
        PowerKind.PENALTY: "行政处罚",
        PowerKind.COERCION: "行政强制",
        PowerKind.LEVY: "行政征收",
        PowerKind.BENEFIT: "行政给付",
        PowerKind.INSPECTION: "行政检查",
        PowerKind.CONFIRMATION: "行政确认",
        PowerKind.REWARD: "行政奖励",
        PowerKind.ADJUDICATION: "行政裁决",
        PowerKind.OTHER: "其他行政权力",
        PowerState.IN_FORCE: "在用",
        PowerState.AMENDED: "已修改",
        PowerState.ABOLISHED: "已废止",
        RiskLevel.HIGH: "高",
        RiskLevel.MEDIUM: "中",
        RiskLevel.LOW: "低",
        MeasureKind.SYSTEM: "制度",
        MeasureKind.TECHNICAL: "技术",
        MeasureKind.OVERSIGHT: "监督",
    }
)
