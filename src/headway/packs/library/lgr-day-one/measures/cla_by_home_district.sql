-- Children looked after at 31 March (SSDA903) by the postcode district (outward code) of their
-- home postcode on the open episode: what a postcode-to-successor lookup splits.
SELECT d.period AS period,
       COUNT(DISTINCT d.clae_person_id) AS value,
       d.district AS breakdown
FROM (
    SELECT l.collection_year AS period, e.clae_person_id,
           CASE WHEN TRIM(COALESCE(e.clae_home_postcode, '')) = '' THEN 'not recorded'
                WHEN POSITION(' ' IN TRIM(e.clae_home_postcode)) > 0
                    THEN UPPER(SUBSTRING(TRIM(e.clae_home_postcode), 1, POSITION(' ' IN TRIM(e.clae_home_postcode)) - 1))
                WHEN LENGTH(TRIM(e.clae_home_postcode)) >= 5
                    THEN UPPER(SUBSTRING(TRIM(e.clae_home_postcode), 1, LENGTH(TRIM(e.clae_home_postcode)) - 3))
                ELSE UPPER(TRIM(e.clae_home_postcode)) END AS district
    FROM ssd_cla_episodes e
    JOIN hw_loads l ON l.load_id = e.hw_load_id
    WHERE l.source_return = 'ssda903'
      AND EXTRACT(YEAR FROM e.clae_cla_episode_start_date) * 100
          + EXTRACT(MONTH FROM e.clae_cla_episode_start_date) <= l.collection_year * 100 + 3
      AND (e.clae_cla_episode_ceased_date IS NULL
           OR EXTRACT(YEAR FROM e.clae_cla_episode_ceased_date) * 100
              + EXTRACT(MONTH FROM e.clae_cla_episode_ceased_date) > l.collection_year * 100 + 3)
) d
GROUP BY d.period, d.district
