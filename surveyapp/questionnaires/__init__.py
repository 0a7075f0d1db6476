"""Questionnaire definitions and answer validation: pure Python, shared by web and scoring."""
