"""Programme content in every interface language (django-modeltranslation):
each field below gets a column per language (`text_en`, `text_ur`,
`text_bn`), and reading `criterion.text` gives the reader's language, or
the first of MODELTRANSLATION_FALLBACK_LANGUAGES that has text."""

from modeltranslation.translator import TranslationOptions, register

from .models import CertificationLevel, CodeOfConduct, Criterion, KpiDefinition, Standard


@register(CodeOfConduct)
class CodeOfConductTranslation(TranslationOptions):
    fields = ("title", "body")


@register(Standard)
class StandardTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Criterion)
class CriterionTranslation(TranslationOptions):
    fields = ("text", "guidance")


@register(KpiDefinition)
class KpiDefinitionTranslation(TranslationOptions):
    fields = ("name", "unit")


@register(CertificationLevel)
class CertificationLevelTranslation(TranslationOptions):
    fields = ("name",)
