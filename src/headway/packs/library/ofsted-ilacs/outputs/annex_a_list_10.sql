-- Annex A list 10: adoption. From the SSDA903 adoption tables (AD1, PlacedAdoption) or SSD
-- extract of the latest collection year loaded, one row per child: children with a decision
-- that they should be placed for adoption who were still in the adoption process at some time
-- in the twelve months to 31 March of that year. The adoption order date comes from the
-- child's episodes (reason ceased E11 or E12) when the tables do not carry it.
SELECT a.person AS "Child Unique ID",
       a.family_id AS "Family identifier",
       p.sex AS "Gender",
       p.ethnicity AS "Ethnicity",
       COALESCE(p.dob, a.reported_dob) AS "Date of Birth",
       CAST(a.cy - EXTRACT(YEAR FROM COALESCE(p.dob, a.reported_dob))
            - CASE WHEN EXTRACT(MONTH FROM COALESCE(p.dob, a.reported_dob)) > 3 THEN 1 ELSE 0 END
            AS INTEGER) AS "Age of Child (Years)",
       COALESCE(a.disability, d.disabled) AS "Does the Child have a Disability",
       COALESCE(a.entered_care,
                (SELECT MAX(s.clae_cla_episode_start_date) FROM ssd_cla_episodes s
                 WHERE s.clae_person_id = a.person
                   AND UPPER(s.clae_cla_episode_start_reason) = 'S')) AS "Date the Child Entered Care",
       a.adm_decision AS "Date of Decision that Child Should be Placed for Adoption",
       a.placement_order AS "Date of Placement Order",
       a.matched AS "Date of Matching Child and Prospective Adopters",
       a.placed AS "Date Placed for Adoption",
       COALESCE(a.adoption_order,
                (SELECT MAX(o.clae_cla_episode_ceased_date) FROM ssd_cla_episodes o
                 WHERE o.clae_person_id = a.person
                   AND UPPER(o.clae_cla_episode_ceased_reason) IN ('E11', 'E12'))) AS "Date of Adoption Order",
       a.reversed AS "Date of Decision that Child Should No Longer be Placed for Adoption",
       a.reversed_reason AS "Reason Why Child No Longer Placed for Adoption",
       a.ffa AS "Date the child was placed for fostering in FFA or concurrent planning placement"
FROM (
    SELECT x.perm_person_id AS person,
           MAX(y.cy) AS cy,
           MAX(x.perm_family_id) AS family_id,
           MAX(x.perm_child_disability) AS disability,
           MAX(x.hw_reported_dob) AS reported_dob,
           MAX(x.perm_entered_care_date) AS entered_care,
           MAX(x.perm_adm_decision_date) AS adm_decision,
           MAX(x.perm_placement_order_date) AS placement_order,
           MAX(x.perm_matched_date) AS matched,
           MAX(x.perm_placed_for_adoption_date) AS placed,
           MAX(x.perm_permanence_order_date) AS adoption_order,
           MAX(x.perm_decision_reversed_date) AS reversed,
           MAX(x.perm_decision_reversed_reason) AS reversed_reason,
           MAX(x.perm_placed_ffa_cp_date) AS ffa
    FROM ssd_permanence x
    JOIN hw_loads l ON l.load_id = x.hw_load_id
    JOIN (SELECT MAX(l2.collection_year) AS cy
          FROM ssd_permanence x2 JOIN hw_loads l2 ON l2.load_id = x2.hw_load_id
          WHERE l2.source_return <> 'annex_a') y ON l.collection_year = y.cy
    WHERE l.source_return <> 'annex_a'
    GROUP BY x.perm_person_id
) a
LEFT JOIN (SELECT pers_person_id, MAX(pers_sex) AS sex, MAX(pers_ethnicity) AS ethnicity, MAX(pers_dob) AS dob
           FROM ssd_person GROUP BY pers_person_id) p ON p.pers_person_id = a.person
LEFT JOIN (SELECT disa_person_id, MAX(CASE WHEN UPPER(TRIM(disa_disability_code)) = 'NONE' THEN 'No' ELSE 'Yes' END) AS disabled
           FROM ssd_disability GROUP BY disa_person_id) d ON d.disa_person_id = a.person
WHERE EXTRACT(YEAR FROM COALESCE(a.adm_decision, a.matched, a.placed)) * 100
      + EXTRACT(MONTH FROM COALESCE(a.adm_decision, a.matched, a.placed)) <= a.cy * 100 + 3
  AND (a.adoption_order IS NULL
       OR EXTRACT(YEAR FROM a.adoption_order) * 100 + EXTRACT(MONTH FROM a.adoption_order) >= (a.cy - 1) * 100 + 4)
  AND (a.reversed IS NULL
       OR EXTRACT(YEAR FROM a.reversed) * 100 + EXTRACT(MONTH FROM a.reversed) >= (a.cy - 1) * 100 + 4)
ORDER BY a.person
