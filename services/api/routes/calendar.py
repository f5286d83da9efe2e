"""The working-day calendar: which years it knows; uploading next year's holidays."""

from __future__ import annotations

from fastapi import APIRouter, status

from services.api.deps import PlatformDep, PrincipalDep
from services.api.schemas import CalendarYears, HolidayScheduleIn, HolidaySchedulePublic

router = APIRouter(tags=["calendar"])


@router.get(
    "/calendar/years",
    response_model=CalendarYears,
    summary="Years whose holidays the calendar knows, and their source",
)
def years(platform: PlatformDep, principal: PrincipalDep) -> CalendarYears:
    return CalendarYears(years=platform.reference.known_years())


@router.post(
    "/tenants/{path}/holiday-schedules",
    status_code=status.HTTP_201_CREATED,
    response_model=HolidaySchedulePublic,
    summary="Upload a year's official holiday schedule (county supervisor)",
)
def upload(
    path: str, body: HolidayScheduleIn, principal: PrincipalDep, platform: PlatformDep
) -> HolidaySchedulePublic:
    schedule, _ = platform.reference.upload_holidays(
        principal,
        path,
        year=body.year,
        holidays=body.holidays,
        workdays=body.workdays,
        source=body.source,
    )
    return HolidaySchedulePublic(
        year=schedule.year,
        holidays=sorted(schedule.holidays),
        workdays=sorted(schedule.workdays),
        source=schedule.source,
    )
