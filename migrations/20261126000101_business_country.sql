-- The business's country on the businesses read model. Businesses opened before it have none
-- until they set one.
alter table businesses
    -- ISO 3166-1 alpha-2 (e.g. `GB`): the numbering plan of phones typed in national format
    add column country text;
