"""Recorded HTTP traffic (VCR.py, Ruby VCR, .NET test-proxy cassettes) turned into what seeds and scripts a fake:
the typed interactions (`interaction.py`), the readers of each format (`reader.py`), the objects that existed
before the recording (`seeds.py`), the scripted turns of each recorded run (`turns.py`), the ids in recorded order
(`recorded_ids.py`), and the plan the facade applies with its report (`plan.py`)."""
