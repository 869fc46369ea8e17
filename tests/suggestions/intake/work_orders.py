"""12345 work-order files as the 12345 system exports them, for the import tests."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl

HEADER = [
    "工单编号",
    "受理时间",
    "来电人",
    "来电号码",
    "诉求内容",
    "所属区",
    "标题",
    "紧急程度",
    "是否保密",
    "承办意见",
]
GOOD = [
    [
        "GD20261101001",
        "2026-11-01 09:30",
        "王先生",
        "13912345678",
        "小区门口的公交站点太少，建议增加公交班次并增设站点。",
        "和平区",
        "增加公交班次",
        "一般",
        "否",
        "",
    ],
    [
        "GD20261101002",
        "2026/11/01 10:05:00",
        "李女士",
        "022-23456789",
        "老旧小区没有电梯，老人上下楼困难，建议加装电梯。",
        "南开",
        "",
        "",
        "是",
        "",
    ],
    [
        "GD20261101003",
        "2026-11-01 11:00",
        "",
        "",
        "社区食堂价格偏高，建议增设老年助餐点并给予补贴。",
        "河西区",
        "老年助餐",
        "复杂",
        "",
        "",
    ],
]


def csv_bytes(rows, header=HEADER, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    """As Excel holds them: numbers as numbers (phone, work-order number), times as datetimes."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        row = list(row)
        if row[3].isdigit():
            row[3] = int(row[3])
        row[1] = dt.datetime.strptime(row[1].replace("/", "-")[:16], "%Y-%m-%d %H:%M")
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def many(count: int, prefix: str = "GD") -> list[list[str]]:
    districts = ["和平区", "河东区", "河西区", "南开区", "河北区", "红桥区"]
    return [
        [
            f"{prefix}{number:08d}",
            f"2026-11-02 08:{number % 60:02d}",
            "市民",
            f"139{number:08d}",
            f"第{number}号来电：小区周边道路破损严重，雨后积水，建议尽快维修并完善排水设施。",
            districts[number % len(districts)],
            "道路维修",
            "",
            "",
            "",
        ]
        for number in range(count)
    ]
