"""The clerk's intake screen (受理): one page, eight steps, from the ID card to the split preview.

``registration.register_intake`` adds the page (and the back-end sessions opened at login) to a
PageRegistry; each step lives in its own ``step_*.py`` module.
"""
