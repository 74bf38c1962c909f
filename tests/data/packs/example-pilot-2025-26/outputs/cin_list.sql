SELECT
    e.cine_person_id AS child_id,
    e.cine_referral_date AS referral_date
FROM ssd_cin_episodes AS e
ORDER BY e.cine_person_id
