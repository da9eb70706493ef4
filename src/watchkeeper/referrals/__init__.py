"""Referrals (P7, P11): intelligence referrals worked in order of risk, and referrals received from other forces."""
