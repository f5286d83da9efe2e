"""Who may read and write where: read your subtree, write your own tenant."""

from __future__ import annotations

import pytest

from domain.access import (
    Principal,
    Role,
    parse_role,
    require_read,
    require_role,
    require_subtree_role,
)
from domain.errors import ForbiddenError, NotFoundError

COUNTY = "xinhe"
TOWN = "xinhe.tahe"
VILLAGE = "xinhe.tahe.dongcun"
SIBLING_TOWN = "xinhe.ta"  # a text prefix of TOWN, not its ancestor
OTHER_COUNTY = "qinghe"


def principal(tenant: str | None, *roles: Role) -> Principal:
    return Principal(id=f"p-{tenant}", tenant=tenant, roles=frozenset(roles))


INSTALLATION_ADMIN = principal(None, Role.ADMIN)


# can_read ---------------------------------------------------------------------------


def test_principal_reads_its_own_tenant() -> None:
    assert principal(TOWN, Role.CLERK).can_read(TOWN)


def test_principal_reads_its_descendants() -> None:
    assert principal(COUNTY, Role.SUPERVISOR).can_read(TOWN)
    assert principal(COUNTY, Role.SUPERVISOR).can_read(VILLAGE)
    assert principal(TOWN, Role.SUPERVISOR).can_read(VILLAGE)


def test_principal_does_not_read_its_ancestors() -> None:
    assert not principal(VILLAGE, Role.SUPERVISOR).can_read(TOWN)
    assert not principal(TOWN, Role.SUPERVISOR).can_read(COUNTY)


def test_principal_does_not_read_its_siblings_or_other_counties() -> None:
    assert not principal(TOWN, Role.SUPERVISOR).can_read(SIBLING_TOWN)
    assert not principal(COUNTY, Role.SUPERVISOR).can_read(OTHER_COUNTY)


def test_a_shared_text_prefix_grants_no_read_either_way() -> None:
    assert not principal(SIBLING_TOWN, Role.SUPERVISOR).can_read(TOWN)
    assert not principal(SIBLING_TOWN, Role.SUPERVISOR).can_read(VILLAGE)
    assert not principal(TOWN, Role.SUPERVISOR).can_read(SIBLING_TOWN)


def test_installation_admin_reads_every_tenant() -> None:
    assert INSTALLATION_ADMIN.is_installation_admin
    for path in (COUNTY, TOWN, VILLAGE, OTHER_COUNTY):
        assert INSTALLATION_ADMIN.can_read(path)


def test_principal_without_a_tenant_or_admin_role_reads_nothing() -> None:
    nobody = principal(None, Role.SUPERVISOR)
    assert not nobody.is_installation_admin
    assert not nobody.can_read(COUNTY)


def test_tenant_admin_is_not_the_installation_admin() -> None:
    assert not principal(COUNTY, Role.ADMIN).is_installation_admin


def test_actor_records_id_tenant_and_sorted_roles() -> None:
    clerk = Principal("u-7", TOWN, frozenset({Role.SUPERVISOR, Role.CLERK}))
    assert clerk.actor() == {"id": "u-7", "tenant": TOWN, "roles": "clerk,supervisor"}


def test_actor_of_the_installation_admin_has_an_empty_tenant() -> None:
    assert INSTALLATION_ADMIN.actor()["tenant"] == ""


def test_parse_role_accepts_a_code_with_spaces() -> None:
    assert parse_role(" clerk ") is Role.CLERK


def test_parse_role_rejects_unknown_roles() -> None:
    with pytest.raises(ValueError, match="unknown role"):
        parse_role("mayor")


# require_read -----------------------------------------------------------------------


def test_out_of_scope_tenant_reads_as_not_found_on_field_path() -> None:
    with pytest.raises(NotFoundError) as caught:
        require_read(principal(TOWN, Role.SUPERVISOR), SIBLING_TOWN)
    assert caught.value.field == "path"


# require_role (write scope) ---------------------------------------------------------


def test_role_on_own_tenant_may_write() -> None:
    require_role(principal(TOWN, Role.CLERK), TOWN, Role.CLERK)


def test_any_one_of_the_named_roles_suffices() -> None:
    require_role(
        principal(COUNTY, Role.SUPERVISOR), COUNTY, Role.ADMIN, Role.SUPERVISOR
    )


def test_wrong_role_on_own_tenant_is_forbidden() -> None:
    with pytest.raises(ForbiddenError):
        require_role(principal(TOWN, Role.SUPERVISOR), TOWN, Role.CLERK)


def test_ancestor_may_read_but_not_write_a_descendant() -> None:
    county_clerk = principal(COUNTY, Role.CLERK)
    with pytest.raises(ForbiddenError):
        require_role(county_clerk, TOWN, Role.CLERK)


def test_writing_a_sibling_reads_as_not_found() -> None:
    with pytest.raises(NotFoundError):
        require_role(principal(SIBLING_TOWN, Role.CLERK), TOWN, Role.CLERK)


def test_writing_an_ancestor_reads_as_not_found() -> None:
    with pytest.raises(NotFoundError):
        require_role(principal(VILLAGE, Role.CLERK), TOWN, Role.CLERK)


def test_out_of_scope_answers_not_found_even_without_the_role() -> None:
    with pytest.raises(NotFoundError):
        require_role(principal(OTHER_COUNTY, Role.SUPERVISOR), TOWN, Role.CLERK)


def test_installation_admin_may_not_write_a_tenant() -> None:
    with pytest.raises(ForbiddenError):
        require_role(INSTALLATION_ADMIN, COUNTY, Role.ADMIN)


# require_subtree_role ---------------------------------------------------------------


def test_subtree_role_holds_on_own_tenant() -> None:
    require_subtree_role(principal(TOWN, Role.ADMIN), TOWN, Role.ADMIN)


def test_subtree_role_holds_on_every_descendant() -> None:
    county_admin = principal(COUNTY, Role.ADMIN)
    require_subtree_role(county_admin, TOWN, Role.ADMIN)
    require_subtree_role(county_admin, VILLAGE, Role.ADMIN)


def test_subtree_role_on_an_ancestor_reads_as_not_found() -> None:
    with pytest.raises(NotFoundError):
        require_subtree_role(principal(TOWN, Role.ADMIN), COUNTY, Role.ADMIN)


def test_subtree_role_on_a_prefix_sibling_reads_as_not_found() -> None:
    with pytest.raises(NotFoundError):
        require_subtree_role(principal(SIBLING_TOWN, Role.ADMIN), TOWN, Role.ADMIN)


def test_subtree_without_the_role_is_forbidden() -> None:
    with pytest.raises(ForbiddenError):
        require_subtree_role(principal(COUNTY, Role.CLERK), TOWN, Role.ADMIN)


def test_installation_admin_holds_admin_over_every_subtree() -> None:
    for path in (COUNTY, VILLAGE, OTHER_COUNTY, "nowhere"):
        require_subtree_role(INSTALLATION_ADMIN, path, Role.ADMIN)


def test_installation_admin_lacks_roles_other_than_admin() -> None:
    with pytest.raises(ForbiddenError):
        require_subtree_role(INSTALLATION_ADMIN, COUNTY, Role.SUPERVISOR)


def test_tenantless_non_admin_holds_nothing() -> None:
    with pytest.raises(NotFoundError):
        require_subtree_role(principal(None, Role.SUPERVISOR), COUNTY, Role.SUPERVISOR)
