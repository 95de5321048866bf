"""Code the tests share; no tests here."""
