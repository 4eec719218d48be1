"""Product aliases: the names shops give lines without a SKU, remembered as products.

A supervisor maps such a line to a product once and may remember the mapping by the line's
name; later imports give a line of the same name (case and surrounding spaces aside) that
product by themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app import clock
from app.db.models import Operator, Product, ProductAlias
from app.domain.product_aliases import NAME_LENGTH, alias_key
from app.domain.roles import Role
from app.services.actor import Actor
from app.services.errors import InvalidInput, NotFound
from app.services.masterdata.catalog import product_ids_for


@dataclass(frozen=True)
class AliasRow:
    """One remembered name and the product it stands for."""

    name: str
    sku: str
    product: str
    created_at: datetime
    created_by: str  # the operator, or the station for the command line


@dataclass(frozen=True)
class AliasChange:
    """What setting an alias did: the alias now, and the SKU it stood for before (if any)."""

    alias: AliasRow
    previous_sku: str | None

    @property
    def changed(self) -> bool:
        return self.previous_sku != self.alias.sku


@dataclass(frozen=True)
class AliasedProduct:
    """The product an alias gives a line, and the alias as it was written."""

    product_id: int
    sku: str
    alias: str


def product_for_code(session: Session, code: str) -> Product:
    """The product whose SKU (or unit barcode, any GTIN length) is `code`; NotFound otherwise."""
    code = code.strip()
    if not code:
        raise InvalidInput("Give the product's SKU, or scan its barcode.")
    product_id = product_ids_for(session, {code}).get(code)
    if product_id is None:
        raise NotFound(f"No product has the SKU or barcode '{code}'; nothing changed.")
    return session.get_one(Product, product_id)


def list_aliases(session: Session) -> list[AliasRow]:
    """Every remembered name, alphabetically."""
    aliases = session.scalars(
        select(ProductAlias)
        .options(selectinload(ProductAlias.product), selectinload(ProductAlias.operator))
        .order_by(ProductAlias.name_key)
    )
    return [_row(alias) for alias in aliases]


def set_alias(session: Session, actor: Actor, name: str, code: str) -> AliasChange:
    """Remember that a line named `name` is the product `code` (replacing what it was)."""
    actor.require(Role.SUPERVISOR)
    name, key = name.strip(), alias_key(name)
    if not key:
        raise InvalidInput("An alias needs a name: the product's name as the shop writes it.")
    if len(name) > NAME_LENGTH or len(key) > NAME_LENGTH:
        raise InvalidInput(f"An alias is at most {NAME_LENGTH} characters long.")
    product = product_for_code(session, code)
    alias = session.scalars(
        select(ProductAlias).where(ProductAlias.name_key == key).with_for_update()
    ).one_or_none()
    previous = alias.product.sku if alias is not None else None
    if alias is None:
        alias = ProductAlias(name=name, name_key=key)
        session.add(alias)
    if alias.product_id != product.id or alias.name != name:
        alias.name, alias.product, alias.created_at = name, product, clock.now()
        alias.operator = session.get(Operator, actor.operator_id) if actor.operator_id else None
        alias.station = actor.station
    session.flush()
    return AliasChange(_row(alias), previous)


def remove_alias(session: Session, actor: Actor, name: str) -> AliasRow:
    """Forget the alias `name`; later imports hold lines of that name again."""
    actor.require(Role.SUPERVISOR)
    alias = session.scalars(
        select(ProductAlias).where(ProductAlias.name_key == alias_key(name)).with_for_update()
    ).one_or_none()
    if alias is None:
        raise NotFound(f"No alias '{name.strip()}'; nothing changed.")
    row = _row(alias)
    session.delete(alias)
    return row


def aliased_products(session: Session, names: Iterable[str]) -> dict[str, AliasedProduct]:
    """The product each name stands for (by alias), keyed by `alias_key` of the name."""
    keys = {alias_key(name) for name in names} - {""}
    if not keys:
        return {}
    return {
        key: AliasedProduct(product_id, sku, alias)
        for key, product_id, sku, alias in session.execute(
            select(ProductAlias.name_key, Product.id, Product.sku, ProductAlias.name)
            .join(Product, Product.id == ProductAlias.product_id)
            .where(ProductAlias.name_key.in_(keys))
        )
    }


def _row(alias: ProductAlias) -> AliasRow:
    return AliasRow(
        name=alias.name,
        sku=alias.product.sku,
        product=alias.product.name,
        created_at=alias.created_at,
        created_by=alias.operator.name if alias.operator else alias.station,
    )
