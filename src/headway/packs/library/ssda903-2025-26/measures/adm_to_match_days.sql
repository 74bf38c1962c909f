-- For children adopted in the collection year (the SSDA903 AD1 table of that year), the average
-- days from the decision that the child should be placed for adoption (DATE_INT) to matching
-- with adopters (DATE_MATCH).
SELECT l.collection_year AS period,
       AVG(date_diff('day', p.perm_adm_decision_date, p.perm_matched_date)) AS value
FROM ssd_permanence p
JOIN hw_loads l ON l.load_id = p.hw_load_id
WHERE l.source_return = 'ssda903'
  AND p.perm_adm_decision_date IS NOT NULL
  AND p.perm_matched_date IS NOT NULL
GROUP BY l.collection_year
