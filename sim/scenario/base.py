"""What every scenario part shares: the frozen base model, number types, modality codes, and
file paths resolved against the scenario's folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo

MODALITIES: tuple[str, ...] = ("CR", "CT", "MR", "US", "MG", "NM", "XA", "OT")
"""Modality codes (DICOM-style).  CR covers CR/DX, MG covers 2-D mammography and tomosynthesis,
NM covers NM/PET, XA covers angiography and fluoroscopy, OT everything else."""

Modality = Literal["CR", "CT", "MR", "US", "MG", "NM", "XA", "OT"]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
Growth = Annotated[float, Field(gt=-1.0, le=10.0)]
PositiveFloat = Annotated[float, Field(gt=0.0)]
NonNegativeFloat = Annotated[float, Field(ge=0.0)]
ArchiveName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)]

_SHARE_TOLERANCE = 1e-6


def _existing(path: Path | None, info: ValidationInfo) -> Path | None:
    """A file path, relative ones resolved against the scenario's folder; it must exist."""
    if path is None:
        return None
    base = (info.context or {}).get("base_dir")
    if base is not None and not path.is_absolute():
        path = Path(base) / path
    if not path.is_file():
        raise ValueError(f"file not found: {path}")
    return path


class Model(BaseModel):
    """Base of every scenario part: frozen, unknown fields rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
