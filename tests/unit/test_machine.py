"""What the zoo reads of the machine: the CPU's model and native bfloat16 from /proc/cpuinfo's fields, and both
on every card's hardware record."""
import pytest

from zoo import card, machine, provenance

pytestmark = pytest.mark.backend_agnostic

XEON = """processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz
flags\t\t: fpu sse2 avx2 avx512f avx512_bf16 amx_bf16 amx_tile
"""
ZEN3 = """processor\t: 0
model name\t: AMD EPYC 7B13
flags\t\t: fpu sse2 avx2 fma
"""


@pytest.mark.parametrize("text, model, bf16", [(XEON, "Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz", True),
                                               (ZEN3, "AMD EPYC 7B13", False)])
def test_cpu_model_and_bfloat16_from_cpuinfo(tmp_path, text, model, bf16):
    info = tmp_path / "cpuinfo"
    info.write_text(text)
    assert machine.cpu_model(info) == model
    assert machine.native_bfloat16(info) is bf16


def test_a_machine_without_cpuinfo_has_no_native_bfloat16(tmp_path):
    assert machine.native_bfloat16(tmp_path / "missing") is False


def test_the_card_records_the_cpu_and_says_it():
    hw = provenance.hardware()
    assert hw.cpu_model == machine.cpu_model() and hw.native_bfloat16 == machine.native_bfloat16()
    row = card.as_json(hw)
    assert card.parse(card.Hardware, row) == hw
    if hw.cpu_model and not hw.accelerator:
        assert hw.describe() == f"{hw.cpu_count} CPU cores ({hw.cpu_model})"
    old = {k: v for k, v in row.items() if k not in ("cpu_model", "native_bfloat16")}  # a card written before
    assert card.parse(card.Hardware, old).cpu_model is None


def test_the_photo_recipes_train_in_mixed_bfloat16_where_it_is_native(monkeypatch):
    from zoo import recipes
    from zoo.models import precision

    photo, digits = recipes.get_recipe("vae-cifar10").options, recipes.get_recipe("vae-mnist").options
    for native in (False, True):
        monkeypatch.setattr(machine, "native_bfloat16", lambda native=native: native)
        assert precision.for_recipe(digits, accelerator=True) == "float32"
        assert precision.for_recipe(photo, accelerator=False) == ("mixed_bfloat16" if native else "float32")
        assert precision.for_recipe(photo, accelerator=True) == "mixed_bfloat16"
