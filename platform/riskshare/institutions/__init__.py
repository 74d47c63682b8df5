"""Institutions: banks, guarantors, insurers, custodians, departments and towns."""
