"""The states of a suggestion and the other enumerations the workflow and the database share."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    ACCEPTED = "accepted"
    NEEDS_TRIAGE = "needs_triage"
    DISPATCHED = "dispatched"
    SIGNED = "signed"
    IN_PROGRESS = "in_progress"
    EXTENSION_PENDING = "extension_pending"
    REPLIED = "replied"
    CALLBACK_PENDING = "callback_pending"
    CLOSED = "closed"
    RETURNED = "returned"
    REDO = "redo"
    NOT_ACCEPTED = "not_accepted"
    MERGED = "merged"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.ACCEPTED: "已受理",
    Status.NEEDS_TRIAGE: "待人工分拨",
    Status.DISPATCHED: "已派单",
    Status.SIGNED: "已签收",
    Status.IN_PROGRESS: "办理中",
    Status.EXTENSION_PENDING: "延期待审",
    Status.REPLIED: "已答复",
    Status.CALLBACK_PENDING: "待回访",
    Status.CLOSED: "已办结",
    Status.RETURNED: "已退单",
    Status.REDO: "重办",
    Status.NOT_ACCEPTED: "不予受理",
    Status.MERGED: "已并单",
}

# What residents read: internal steps such as manual dispatch or a return are not their concern.
PUBLIC_STATUS_LABELS = {
    Status.ACCEPTED: "已受理",
    Status.NEEDS_TRIAGE: "正在分派",
    Status.DISPATCHED: "已转交承办部门",
    Status.SIGNED: "部门已签收",
    Status.IN_PROGRESS: "办理中",
    Status.EXTENSION_PENDING: "办理中",
    Status.REPLIED: "已答复",
    Status.CALLBACK_PENDING: "已答复，待回访",
    Status.CLOSED: "已办结",
    Status.RETURNED: "正在重新分派",
    Status.REDO: "重新办理中",
    Status.NOT_ACCEPTED: "不予受理",
    Status.MERGED: "已与同类建议合并办理",
}

TERMINAL_STATUSES = frozenset({Status.CLOSED, Status.NOT_ACCEPTED, Status.MERGED})
OPEN_STATUSES = frozenset(Status) - TERMINAL_STATUSES
# States in which a department holds the item; the database requires a department there.
DEPARTMENT_STATUSES = frozenset(
    {
        Status.DISPATCHED,
        Status.SIGNED,
        Status.IN_PROGRESS,
        Status.EXTENSION_PENDING,
        Status.REPLIED,
        Status.CALLBACK_PENDING,
        Status.REDO,
    }
)


class Channel(StrEnum):
    WEB = "web"
    QR = "qr"
    HOTLINE = "hotline"
    TJGOV = "tjgov"  # the campaign's topic page on 天津政务网 (tj.gov.cn), through the partner API
    ENORTH = "enorth"  # the campaign's topic page on 北方网, through the partner API

    @property
    def label(self) -> str:
        return {
            Channel.WEB: "网站",
            Channel.QR: "扫码",
            Channel.HOTLINE: "12345热线",
            Channel.TJGOV: "天津政务网",
            Channel.ENORTH: "北方网",
        }[self]

    @property
    def partner_label(self) -> str:
        """The system behind a partner channel: for the hotline that is the 12345 work-order system."""
        return "12345热线工单系统" if self == Channel.HOTLINE else self.label


# Systems that post suggestions through the partner API with a key; the 12345 system posts as the hotline.
PARTNER_CHANNELS = (Channel.TJGOV, Channel.ENORTH, Channel.HOTLINE)


class Urgency(StrEnum):
    LIFE_SAFETY = "life_safety"
    UTILITIES = "utilities"
    GENERAL = "general"
    COMPLEX = "complex"

    @property
    def label(self) -> str:
        return {
            Urgency.LIFE_SAFETY: "紧急（生命财产安全）",
            Urgency.UTILITIES: "水电气热",
            Urgency.GENERAL: "一般",
            Urgency.COMPLEX: "复杂",
        }[self]


class Step(StrEnum):
    """Steps with a time limit."""

    TRIAGE = "triage"
    SIGN = "sign"
    RETURN = "return"
    FIRST_REPLY = "first_reply"
    REPLY = "reply"
    REVIEW = "review"
    CALLBACK = "callback"

    @property
    def label(self) -> str:
        return {
            Step.TRIAGE: "人工分拨",
            Step.SIGN: "签收",
            Step.RETURN: "退单",
            Step.FIRST_REPLY: "首次答复",
            Step.REPLY: "答复",
            Step.REVIEW: "审核答复",
            Step.CALLBACK: "回访",
        }[self]


class TimeUnit(StrEnum):
    MINUTES = "minutes"
    HOURS = "hours"
    WORKING_DAYS = "working_days"

    @property
    def label(self) -> str:
        return {TimeUnit.MINUTES: "分钟", TimeUnit.HOURS: "小时", TimeUnit.WORKING_DAYS: "个工作日"}[self]


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"
    UNREACHABLE = "unreachable"

    @property
    def label(self) -> str:
        return {
            Satisfaction.SATISFIED: "满意",
            Satisfaction.BASICALLY_SATISFIED: "基本满意",
            Satisfaction.DISSATISFIED: "不满意",
            Satisfaction.UNREACHABLE: "未联系上",
        }[self]


class Adoption(StrEnum):
    EVALUATING = "evaluating"
    ADOPTED = "adopted"
    PARTIALLY_ADOPTED = "partially_adopted"
    ALREADY_PLANNED = "already_planned"  # the idea is already covered by a project
    NOT_ADOPTED = "not_adopted"

    @property
    def label(self) -> str:
        return {
            Adoption.EVALUATING: "研究中",
            Adoption.ADOPTED: "采纳",
            Adoption.PARTIALLY_ADOPTED: "部分采纳",
            Adoption.ALREADY_PLANNED: "已有安排",
            Adoption.NOT_ADOPTED: "暂不采纳",
        }[self]

    @property
    def fed_project(self) -> bool:
        """The idea went into the project (counted on its public page), not just matched an existing plan."""
        return self in (Adoption.ADOPTED, Adoption.PARTIALLY_ADOPTED)

    @property
    def needs_project(self) -> bool:
        return self in LINKED_ADOPTIONS


# Decisions that name the project the idea fed or is already covered by.
LINKED_ADOPTIONS = frozenset({Adoption.ADOPTED, Adoption.PARTIALLY_ADOPTED, Adoption.ALREADY_PLANNED})
FED_ADOPTIONS = (Adoption.ADOPTED, Adoption.PARTIALLY_ADOPTED)


class ProjectStatus(StrEnum):
    PLANNED = "planned"
    UNDERWAY = "underway"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return {ProjectStatus.PLANNED: "拟定", ProjectStatus.UNDERWAY: "实施中", ProjectStatus.COMPLETED: "已完成"}[
            self
        ]


class DomainSource(StrEnum):
    """Who set a suggestion's domain; a person's choice is never replaced silently."""

    RESIDENT = "resident"
    OPERATOR = "operator"
    PREDICTED = "predicted"
    CORRECTED = "corrected"

    @property
    def label(self) -> str:
        return {
            DomainSource.RESIDENT: "市民选择",
            DomainSource.OPERATOR: "话务员选择",
            DomainSource.PREDICTED: "系统判断",
            DomainSource.CORRECTED: "分拨员纠正",
        }[self]


class Role(StrEnum):
    OPERATOR = "operator"
    DISPATCHER = "dispatcher"
    OFFICER = "officer"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {
            Role.OPERATOR: "12345话务员",
            Role.DISPATCHER: "民心办分拨员",
            Role.OFFICER: "部门承办人",
            Role.ADMIN: "系统管理员",
        }[self]
