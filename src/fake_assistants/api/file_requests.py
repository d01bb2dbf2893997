"""Request bodies of the vector-store endpoints (strict pydantic models, see request_models)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Discriminator, Field, StringConstraints, Tag

from .request_models import ChunkingStrategy, Metadata, Strict, check_metadata, type_tag, within_float_range

AttributeValue = Annotated[str, StringConstraints(max_length=512)] | bool | int | float  # a number as sent: 2 stays 2
# Like metadata: at most 16 properties, keys of at most 64 characters (the same errors).
Attributes = Annotated[dict[str, AttributeValue], AfterValidator(check_metadata)]


class ExpiresAfter(Strict):
    anchor: Literal["last_active_at"]
    days: Annotated[int, Field(ge=1, le=365)]


class CreateVectorStore(Strict):
    file_ids: Annotated[list[str], Field(max_length=500)] | None = None
    name: str | None = None
    description: str | None = None
    expires_after: ExpiresAfter | None = None
    chunking_strategy: ChunkingStrategy | None = None
    metadata: Metadata | None = None


class ModifyVectorStore(Strict):
    name: str | None = None
    expires_after: ExpiresAfter | None = None
    metadata: Metadata | None = None


class RankingOptions(Strict):
    ranker: Literal["none", "auto", "default-2024-11-15"] | None = None
    score_threshold: Annotated[float, Field(ge=0, le=1), BeforeValidator(within_float_range(0, 1))] | None = None


COMPARISONS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "nin")
COMPOUNDS = ("and", "or")


class ComparisonFilter(Strict):
    """`key` compared with `value`: `eq`, `ne`, `gt`, `gte`, `lt`, `lte`, `in`, `nin` (ComparisonFilter)."""

    type: Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin"]
    key: str
    value: str | float | bool | list[str | float]


class CompoundFilter(Strict):
    """`and` / `or` over comparisons and other compounds (CompoundFilter)."""

    type: Literal["and", "or"]
    filters: list[Filter]


# Tagged by the `type` value itself, so a bad `type` is reported with every supported value.
Filter = Annotated[
    Annotated[ComparisonFilter, Tag("eq")] | Annotated[ComparisonFilter, Tag("ne")]
    | Annotated[ComparisonFilter, Tag("gt")] | Annotated[ComparisonFilter, Tag("gte")]
    | Annotated[ComparisonFilter, Tag("lt")] | Annotated[ComparisonFilter, Tag("lte")]
    | Annotated[ComparisonFilter, Tag("in")] | Annotated[ComparisonFilter, Tag("nin")]
    | Annotated[CompoundFilter, Tag("and")] | Annotated[CompoundFilter, Tag("or")],
    Discriminator(type_tag),
]
CompoundFilter.model_rebuild()


class SearchVectorStore(Strict):
    query: Annotated[str, StringConstraints(min_length=1)] | Annotated[list[str], Field(min_length=1)]
    rewrite_query: bool | None = None
    max_num_results: Annotated[int, Field(ge=1, le=50)] | None = None
    filters: Filter | None = None
    ranking_options: RankingOptions | None = None


class CreateVectorStoreFile(Strict):
    file_id: str
    chunking_strategy: ChunkingStrategy | None = None
    attributes: Attributes | None = None


class UpdateVectorStoreFile(Strict):
    attributes: Attributes | None


class BatchFile(Strict):
    file_id: str
    chunking_strategy: ChunkingStrategy | None = None
    attributes: Attributes | None = None


class CreateFileBatch(Strict):
    file_ids: Annotated[list[str], Field(min_length=1, max_length=2000)] | None = None
    files: Annotated[list[BatchFile], Field(min_length=1, max_length=2000)] | None = None
    chunking_strategy: ChunkingStrategy | None = None
    attributes: Attributes | None = None
