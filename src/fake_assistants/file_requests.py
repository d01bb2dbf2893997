"""Request bodies of the vector-store endpoints (strict pydantic models, see request_models)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StringConstraints

from .request_models import ChunkingStrategy, Metadata, Strict, _within_float_range

AttributeValue = Annotated[str, StringConstraints(max_length=512)] | float | bool
Attributes = Annotated[dict[Annotated[str, StringConstraints(max_length=64)], AttributeValue],
                       Field(max_length=16)]


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
    score_threshold: Annotated[float, Field(ge=0, le=1), BeforeValidator(_within_float_range(0, 1))] | None = None


class SearchVectorStore(Strict):
    query: Annotated[str, StringConstraints(min_length=1)] | Annotated[list[str], Field(min_length=1)]
    rewrite_query: bool | None = None
    max_num_results: Annotated[int, Field(ge=1, le=50)] | None = None
    filters: dict[str, Any] | None = None
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
