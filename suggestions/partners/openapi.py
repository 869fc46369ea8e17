"""The OpenAPI 3 description of the Open311 API; service codes and districts are listed as they are today."""

from __future__ import annotations

from suggestions.forms.fields import BODY_MAX, BODY_MIN, NAME_MAX, TITLE_MAX
from suggestions.forms.partner_forms import ADDRESS_MAX
from suggestions.partners.georeport import DEFAULT_PAGE_SIZE, MAX_IDS, MAX_PAGE, MAX_PAGE_SIZE

PREFIX = "/open311/v2"
JSON = "application/json"


def _string(description: str, nullable: bool = False, **extra) -> dict:
    schema = {"type": ["string", "null"] if nullable else "string", "description": description, **extra}
    return schema


def _errors(description: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": {"$ref": "#/components/schemas/Errors"}}}}


def _json(description: str, ref: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def document(services: list[dict], districts: list[str]) -> dict:
    """The OpenAPI 3.1 document; ``services`` and ``districts`` fill the lists of allowed values."""
    codes = [s["service_code"] for s in services]
    code_schema = {"type": "string", "description": "建议领域编号（见 services.json）"}
    if codes:
        code_schema["enum"] = codes
    district_schema = {"type": "string", "description": "所属区（必填，或写在 address_string 开头）"}
    if districts:
        district_schema["enum"] = districts
    rate_limited = _errors("请求过于频繁（每个密钥有自己的频率限制）")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "金点子 Open311 GeoReport v2 接口",
            "version": "2",
            "description": (
                "天津市民心工程“金点子”建议征集的合作方接口（天津政务网、北方网、12345系统）。"
                "服务（service）是当年征集的建议领域；请求（request）是一条建议，service_request_id 是它的追踪码。"
                "查询公开，只返回公开的办理状态，不含任何个人信息。提交需要 api_key（由系统管理员发放）；"
                "所属区必填：attribute[district]，或写在 address_string 开头（例如“和平区南京路100号”）。"
                "attribute[partner_id] 为合作方自己的编号：同一编号重复提交不会重复保存，返回第一次的建议。"
                "错误返回 GeoReport v2 的格式：[{code, description}]。"
            ),
        },
        "paths": {
            f"{PREFIX}/services.json": {
                "get": {
                    "operationId": "listServices",
                    "summary": "建议领域列表",
                    "responses": {
                        "200": _json("当年征集的建议领域", "Services"),
                        "429": rate_limited,
                    },
                }
            },
            f"{PREFIX}/services/{{service_code}}.json": {
                "get": {
                    "operationId": "serviceDefinition",
                    "summary": "建议领域可提交的属性",
                    "parameters": [{"name": "service_code", "in": "path", "required": True, "schema": code_schema}],
                    "responses": {
                        "200": _json("可提交的属性（所属区、合作方编号、保密）", "ServiceDefinition"),
                        "404": _errors("没有这个建议领域"),
                        "429": rate_limited,
                    },
                }
            },
            f"{PREFIX}/requests.json": {
                "get": {
                    "operationId": "listRequests",
                    "summary": "建议的公开办理状态",
                    "parameters": [
                        _query(
                            "service_request_id",
                            f"追踪码，多个用逗号隔开（最多 {MAX_IDS} 个）；给出时忽略其他条件",
                            {"type": "string"},
                        ),
                        _query("service_code", "建议领域编号", {"type": "string"}),
                        _query(
                            "status",
                            "open（办理中）或 closed（已办结），也可 open,closed",
                            {"type": "string", "enum": ["open", "closed", "open,closed"]},
                        ),
                        _query(
                            "start_date",
                            "受理时间起（W3C，如 2026-10-01T00:00:00+08:00 或 2026-10-01）；未给日期时为最近90天",
                            {"type": "string"},
                        ),
                        _query("end_date", "受理时间止（W3C）", {"type": "string"}),
                        _query("page", f"页码（1–{MAX_PAGE}）", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
                        _query(
                            "page_size",
                            f"每页条数（1–{MAX_PAGE_SIZE}，默认 {DEFAULT_PAGE_SIZE}）",
                            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                        ),
                    ],
                    "responses": {
                        "200": _json("建议列表，最新受理的在前", "Requests"),
                        "400": _errors("查询条件有误"),
                        "429": rate_limited,
                    },
                },
                "post": {
                    "operationId": "createRequest",
                    "summary": "提交一条建议",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/NewRequest"}}
                        },
                    },
                    "responses": {
                        "201": _json("已受理（新建议）", "Created"),
                        "200": _json("同一 attribute[partner_id] 此前已提交：返回第一次的建议，不重复保存", "Created"),
                        "400": _errors("内容有误（缺少或不合规的字段、未知的 service_code、缺少所属区）"),
                        "403": _errors("api_key 缺失、无效或已停用；或征集活动未开放"),
                        "413": _errors("内容过大"),
                        "415": _errors("格式不支持：请用 application/x-www-form-urlencoded"),
                        "429": rate_limited,
                    },
                },
            },
            f"{PREFIX}/requests/{{service_request_id}}.json": {
                "get": {
                    "operationId": "getRequest",
                    "summary": "一条建议的公开办理状态（按追踪码）",
                    "parameters": [
                        {
                            "name": "service_request_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                            "description": "追踪码",
                        }
                    ],
                    "responses": {
                        "200": _json("一条建议（数组中一项）", "Requests"),
                        "404": _errors("没有这个追踪码"),
                        "429": rate_limited,
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Errors": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["code", "description"],
                        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
                    },
                },
                "Services": {"type": "array", "items": {"$ref": "#/components/schemas/Service"}},
                "Service": {
                    "type": "object",
                    "required": ["service_code", "service_name", "description", "metadata", "type", "group"],
                    "properties": {
                        "service_code": {"type": "string"},
                        "service_name": _string("领域名称"),
                        "description": _string("说明"),
                        "metadata": {"type": "boolean"},
                        "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
                        "keywords": {"type": "string"},
                        "group": _string("征集活动"),
                    },
                },
                "ServiceDefinition": {
                    "type": "object",
                    "required": ["service_code", "attributes"],
                    "properties": {
                        "service_code": {"type": "string"},
                        "attributes": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["variable", "code", "datatype", "required", "description", "order"],
                                "properties": {
                                    "variable": {"type": "boolean"},
                                    "code": {"type": "string"},
                                    "datatype": {"type": "string"},
                                    "required": {"type": "boolean"},
                                    "datatype_description": {"type": "string"},
                                    "order": {"type": "integer"},
                                    "description": {"type": "string"},
                                    "values": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["key", "name"],
                                            "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
                "Requests": {"type": "array", "items": {"$ref": "#/components/schemas/Request"}},
                "Request": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["service_request_id", "status", "requested_datetime", "updated_datetime"],
                    "properties": {
                        "service_request_id": _string("追踪码", pattern=r"^JDZ-\d{4}-\d{5}-\d{5}$"),
                        "status": {"type": "string", "enum": ["open", "closed"]},
                        "status_notes": _string("公开的办理状态"),
                        "service_code": _string("建议领域编号", nullable=True),
                        "service_name": _string("建议领域", nullable=True),
                        "description": _string("经审核公开的建议摘要（没有则为空）", nullable=True),
                        "agency_responsible": _string("承办部门", nullable=True),
                        "service_notice": _string("说明", nullable=True),
                        "requested_datetime": _string("受理时间", format="date-time"),
                        "updated_datetime": _string("最近一次状态变化", format="date-time"),
                        "expected_datetime": _string("答复期限", nullable=True),
                        "address": _string("所属区", nullable=True),
                    },
                },
                "Created": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["service_request_id", "service_notice"],
                        "properties": {
                            "service_request_id": _string("追踪码", pattern=r"^JDZ-\d{4}-\d{5}-\d{5}$"),
                            "service_notice": _string("受理说明"),
                            "account_id": {"type": "null"},
                            "access_secret": _string("建议人未留电话时的查询密钥（只在第一次返回）"),
                        },
                    },
                },
                "NewRequest": {
                    "type": "object",
                    "required": ["api_key", "service_code", "description", "attribute[district]"],
                    "properties": {
                        "api_key": _string("合作方密钥"),
                        "service_code": code_schema,
                        "description": _string("建议内容", minLength=BODY_MIN, maxLength=BODY_MAX),
                        "title": _string("标题（选填）", maxLength=TITLE_MAX),
                        "attribute[district]": district_schema,
                        "address_string": _string("地址：所属区开头，后接具体地点（选填）", maxLength=ADDRESS_MAX),
                        "attribute[partner_id]": _string("合作方编号（选填，幂等）", maxLength=64),
                        "attribute[confidential]": {
                            "type": "string",
                            "enum": ["true", "false"],
                            "description": "保密处理（选填）",
                        },
                        "first_name": _string("名（选填）", maxLength=NAME_MAX),
                        "last_name": _string("姓（选填）", maxLength=NAME_MAX),
                        "phone": _string("联系电话（选填）：手机或带区号的固定电话，加密保存"),
                        "email": _string("电子邮箱（选填），加密保存", maxLength=254),
                    },
                },
            }
        },
    }


def _query(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}
