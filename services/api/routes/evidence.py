"""Evidence bundles for a discipline-inspection office: verify offline."""

from __future__ import annotations

import json
from uuid import UUID

from fastapi import APIRouter, Response

from domain.access import require_read
from services.api.deps import PlatformDep, PrincipalDep
from services.audit.evidence import build_bundle

router = APIRouter(prefix="/tenants/{path}/evidence", tags=["evidence"])


@router.get(
    "/disclosures/{disclosure_id}",
    summary="One file with a disclosure's events, proofs, checkpoint and witnesses",
    response_description="a gongkai-evidence/v2 JSON file (see gongkai verify)",
)
def disclosure_bundle(
    path: str, disclosure_id: UUID, principal: PrincipalDep, platform: PlatformDep
) -> Response:
    require_read(principal, path)
    platform.disclosures.disclosure(principal, path, disclosure_id)
    bundle = build_bundle(platform, path, disclosure_id, "disclosure", principal)
    return bundle_response(bundle, path, disclosure_id)


@router.get(
    "/cases/{case_id}",
    summary="One file with a case's events, proofs, checkpoint and witnesses",
    response_description="a gongkai-evidence/v2 JSON file (see gongkai verify)",
)
def case_bundle(
    path: str, case_id: UUID, principal: PrincipalDep, platform: PlatformDep
) -> Response:
    require_read(principal, path)
    platform.cases.case(principal, path, case_id)
    bundle = build_bundle(platform, path, case_id, "case", principal)
    return bundle_response(bundle, path, case_id)


def bundle_response(bundle: dict[str, object], path: str, subject: UUID) -> Response:
    name = f"evidence-{path}-{subject}.json"
    return Response(
        json.dumps(bundle, ensure_ascii=False, indent=1).encode("utf-8"),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
