-- Distinct CIN referrals per collection year, from the CIN census loads.
SELECT
    l.collection_year AS period,
    CAST(COUNT(DISTINCT e.cine_referral_id) AS DOUBLE PRECISION) AS value
FROM ssd_cin_episodes AS e
JOIN hw_loads AS l ON l.load_id = e.hw_load_id
WHERE l.source_return = 'cin_census'
GROUP BY l.collection_year
